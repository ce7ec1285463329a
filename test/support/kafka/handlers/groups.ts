// Group membership APIs: FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
// DescribeGroups, ListGroups, DeleteGroups. The state machine lives in group/coordinator.ts.
import { ErrorCode } from '../protocol/errors.ts';
import type { Msg } from '../protocol/messages.ts';
import { NO_AUTHORIZED_OPERATIONS, type Handler } from './types.ts';

export const handleFindCoordinator: Handler = (b, req, ctx) => {
  const keyType = req.KeyType as number;
  const keys: string[] = ctx.apiVersion >= 4 ? req.CoordinatorKeys : [req.Key];
  const answer = (key: string) => {
    const code = keyType !== 0 && keyType !== 1 ? ErrorCode.INVALID_REQUEST : key === '' && keyType === 0 ? ErrorCode.INVALID_GROUP_ID : ErrorCode.NONE;
    return code === ErrorCode.NONE
      ? { Key: key, NodeId: b.nodeId, Host: b.advertisedHost, Port: b.port, ErrorCode: 0, ErrorMessage: null }
      : { Key: key, NodeId: -1, Host: '', Port: -1, ErrorCode: code, ErrorMessage: null };
  };
  if (ctx.apiVersion >= 4) return { ThrottleTimeMs: 0, Coordinators: keys.map(answer) };
  const a = answer(keys[0] ?? '');
  return { ThrottleTimeMs: 0, ErrorCode: a.ErrorCode, ErrorMessage: a.ErrorMessage, NodeId: a.NodeId, Host: a.Host, Port: a.Port };
};

export const handleJoinGroup: Handler = async (b, req, ctx) => {
  const r = await b.groups.join({
    groupId: req.GroupId,
    memberId: req.MemberId,
    groupInstanceId: req.GroupInstanceId,
    clientId: ctx.clientId ?? '',
    clientHost: ctx.clientHost,
    sessionTimeoutMs: req.SessionTimeoutMs,
    rebalanceTimeoutMs: ctx.apiVersion >= 1 && req.RebalanceTimeoutMs > 0 ? req.RebalanceTimeoutMs : req.SessionTimeoutMs,
    protocolType: req.ProtocolType,
    protocols: (req.Protocols as Msg[]).map((p) => ({ name: p.Name, metadata: Buffer.from(p.Metadata) })),
    requireKnownMemberId: ctx.apiVersion >= 4,
  });
  return {
    ThrottleTimeMs: 0,
    ErrorCode: r.errorCode,
    GenerationId: r.generationId,
    ProtocolType: r.protocolType,
    ProtocolName: r.protocolName,
    Leader: r.leader,
    SkipAssignment: false,
    MemberId: r.memberId,
    Members: r.members.map((m) => ({ MemberId: m.memberId, GroupInstanceId: m.groupInstanceId, Metadata: m.metadata })),
  };
};

export const handleSyncGroup: Handler = async (b, req) => {
  const r = await b.groups.sync({
    groupId: req.GroupId,
    generationId: req.GenerationId,
    memberId: req.MemberId,
    protocolType: req.ProtocolType,
    protocolName: req.ProtocolName,
    assignments: (req.Assignments as Msg[]).map((a) => ({ memberId: a.MemberId, assignment: a.Assignment })),
  });
  return { ThrottleTimeMs: 0, ErrorCode: r.errorCode, ProtocolType: r.protocolType, ProtocolName: r.protocolName, Assignment: r.assignment };
};

export const handleHeartbeat: Handler = (b, req) => ({
  ThrottleTimeMs: 0,
  ErrorCode: b.groups.heartbeat(req.GroupId, req.MemberId, req.GenerationId),
});

export const handleLeaveGroup: Handler = (b, req, ctx) => {
  if (ctx.apiVersion < 3) return { ThrottleTimeMs: 0, ErrorCode: b.groups.leave(req.GroupId, [req.MemberId])[0] };
  const members = req.Members as Msg[];
  const codes = b.groups.leave(
    req.GroupId,
    members.map((m) => m.MemberId || (m.GroupInstanceId ? b.groups.memberIdForInstance(req.GroupId, m.GroupInstanceId) : '')),
  );
  return {
    ThrottleTimeMs: 0,
    ErrorCode: 0,
    Members: members.map((m, i) => ({ MemberId: m.MemberId, GroupInstanceId: m.GroupInstanceId, ErrorCode: codes[i] })),
  };
};

export const handleDescribeGroups: Handler = (b, req) => ({
  ThrottleTimeMs: 0,
  Groups: (req.Groups as string[]).map((id) => {
    const d = b.groups.describe(id);
    return {
      ErrorCode: id ? 0 : ErrorCode.INVALID_GROUP_ID,
      GroupId: id,
      GroupState: d.state,
      ProtocolType: d.protocolType,
      ProtocolData: d.protocolName,
      Members: d.members.map((m) => ({
        MemberId: m.memberId,
        GroupInstanceId: m.groupInstanceId,
        ClientId: m.clientId,
        ClientHost: m.clientHost,
        MemberMetadata: m.metadata,
        MemberAssignment: m.assignment,
      })),
      AuthorizedOperations: NO_AUTHORIZED_OPERATIONS,
    };
  }),
});

export const handleListGroups: Handler = (b) => {
  const ids = new Set<string>([...b.groups.groups.keys(), ...b.offsets.groupIds()]);
  return {
    ThrottleTimeMs: 0,
    ErrorCode: 0,
    Groups: [...ids].sort().map((id) => ({ GroupId: id, ProtocolType: b.groups.group(id)?.protocolType ?? 'consumer' })),
  };
};

export const handleDeleteGroups: Handler = (b, req) => ({
  ThrottleTimeMs: 0,
  Results: (req.GroupsNames as string[]).map((id) => {
    const known = !!b.groups.group(id) || b.offsets.hasGroup(id);
    if (!known) return { GroupId: id, ErrorCode: ErrorCode.GROUP_ID_NOT_FOUND };
    const code = b.groups.deleteGroup(id);
    if (code === ErrorCode.NONE) b.offsets.deleteGroup(id);
    return { GroupId: id, ErrorCode: code };
  }),
});
