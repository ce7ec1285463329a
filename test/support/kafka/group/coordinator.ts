// Classic consumer-group coordinator (the JoinGroup/SyncGroup/Heartbeat protocol):
// Empty -> PreparingRebalance -> CompletingRebalance -> Stable, with generations, leader choice,
// protocol voting, session and rebalance timeouts, and MEMBER_ID_REQUIRED for JoinGroup v4+.
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/errors.ts';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface Protocol {
  name: string;
  metadata: Buffer;
}

export interface JoinParams {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  /** JoinGroup v4+: an unknown member first gets MEMBER_ID_REQUIRED plus its id */
  requireKnownMemberId: boolean;
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncParams {
  groupId: string;
  generationId: number;
  memberId: string;
  protocolType: string | null;
  protocolName: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface CoordinatorOptions {
  /** group.min.session.timeout.ms (Kafka default 6000) */
  minSessionTimeoutMs?: number;
  /** group.max.session.timeout.ms (Kafka default 1800000) */
  maxSessionTimeoutMs?: number;
  /** group.initial.rebalance.delay.ms (Kafka default 3000; 0 here for fast tests) */
  initialRebalanceDelayMs?: number;
  log?: (msg: string) => void;
}

const EMPTY = Buffer.alloc(0);

class Member {
  assignment: Buffer = EMPTY;
  joinWaiter: ((r: JoinResult) => void) | null = null;
  syncWaiter: ((r: SyncResult) => void) | null = null;
  /** sent SyncGroup for the current generation */
  synced = false;
  sessionTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly id: string,
    public groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public sessionTimeoutMs: number,
    public rebalanceTimeoutMs: number,
    public protocolType: string,
    public protocols: Protocol[],
  ) {}

  metadataFor(protocol: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY;
  }
}

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  readonly pendingMembers = new Map<string, NodeJS.Timeout>();
  rebalanceTimer: NodeJS.Timeout | null = null;
  initialDelayActive = false;

  constructor(readonly id: string) {}

  allMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const m of this.members.values()) if (!m.joinWaiter) return false;
    return true;
  }
}

function protocolsEqual(a: Protocol[], b: Protocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata));
}

function joinError(errorCode: number, memberId = ''): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

export class GroupCoordinator {
  readonly groups = new Map<string, Group>();
  private readonly minSession: number;
  private readonly maxSession: number;
  private readonly initialDelay: number;
  private readonly log: (msg: string) => void;

  constructor(opts: CoordinatorOptions = {}) {
    this.minSession = opts.minSessionTimeoutMs ?? 6000;
    this.maxSession = opts.maxSessionTimeoutMs ?? 1_800_000;
    this.initialDelay = opts.initialRebalanceDelayMs ?? 0;
    this.log = opts.log ?? (() => {});
  }

  group(id: string): Group | undefined {
    return this.groups.get(id);
  }

  private getOrCreate(id: string): Group {
    let g = this.groups.get(id);
    if (!g) this.groups.set(id, (g = new Group(id)));
    return g;
  }

  // ---------------------------------------------------------------- JoinGroup

  join(p: JoinParams): Promise<JoinResult> | JoinResult {
    if (!p.groupId) return joinError(ErrorCode.INVALID_GROUP_ID);
    if (p.sessionTimeoutMs < this.minSession || p.sessionTimeoutMs > this.maxSession) return joinError(ErrorCode.INVALID_SESSION_TIMEOUT);
    if (!p.protocolType || p.protocols.length === 0) return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const g = this.getOrCreate(p.groupId);
    if (g.state === 'Dead') return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (!this.supportsProtocols(g, p)) return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);

    if (p.memberId === '' && p.groupInstanceId) {
      // static member restarting: it takes over from its previous incarnation
      const previous = [...g.members.values()].find((m) => m.groupInstanceId === p.groupInstanceId);
      if (previous) this.dropMember(g, previous);
    }
    if (p.memberId === '') {
      const id = `${p.clientId || 'member'}-${randomUUID()}`;
      if (p.requireKnownMemberId && !p.groupInstanceId) {
        const t = setTimeout(() => {
          g.pendingMembers.delete(id);
          this.maybeCompleteJoin(g);
        }, p.sessionTimeoutMs);
        t.unref();
        g.pendingMembers.set(id, t);
        return joinError(ErrorCode.MEMBER_ID_REQUIRED, id);
      }
      return this.addMemberAndRebalance(g, id, p);
    }
    const pending = g.pendingMembers.get(p.memberId);
    if (pending) {
      clearTimeout(pending);
      g.pendingMembers.delete(p.memberId);
      return this.addMemberAndRebalance(g, p.memberId, p);
    }
    const m = g.members.get(p.memberId);
    if (!m) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId);
    return this.updateMemberAndRebalance(g, m, p);
  }

  private supportsProtocols(g: Group, p: JoinParams): boolean {
    const others = [...g.members.values()].filter((m) => m.id !== p.memberId);
    if (others.length === 0) return true;
    if (g.protocolType !== null && g.protocolType !== p.protocolType) return false;
    const names = new Set(p.protocols.map((x) => x.name));
    return others[0].protocols.some((x) => names.has(x.name) && others.every((o) => o.protocols.some((y) => y.name === x.name)));
  }

  private awaitJoin(m: Member): Promise<JoinResult> {
    if (m.joinWaiter) m.joinWaiter(joinError(ErrorCode.REBALANCE_IN_PROGRESS, m.id)); // superseded request
    return new Promise((resolve) => (m.joinWaiter = resolve));
  }

  private addMemberAndRebalance(g: Group, id: string, p: JoinParams): Promise<JoinResult> {
    const m = new Member(id, p.groupInstanceId, p.clientId, p.clientHost, p.sessionTimeoutMs, p.rebalanceTimeoutMs, p.protocolType, p.protocols);
    g.members.set(id, m);
    if (g.protocolType === null) g.protocolType = p.protocolType;
    const result = this.awaitJoin(m);
    this.log(`group ${g.id}: member ${id} joins (${g.state})`);
    if (g.state === 'PreparingRebalance') this.maybeCompleteJoin(g);
    else this.prepareRebalance(g, `member ${id} joined`);
    return result;
  }

  private currentJoinInfo(g: Group, m: Member): JoinResult {
    return {
      errorCode: ErrorCode.NONE,
      generationId: g.generationId,
      protocolType: g.protocolType,
      protocolName: g.protocolName,
      leader: g.leaderId ?? '',
      memberId: m.id,
      members: m.id === g.leaderId ? this.memberList(g) : [],
    };
  }

  private memberList(g: Group): JoinResult['members'] {
    return [...g.members.values()].map((x) => ({ memberId: x.id, groupInstanceId: x.groupInstanceId, metadata: x.metadataFor(g.protocolName) }));
  }

  private updateMemberAndRebalance(g: Group, m: Member, p: JoinParams): Promise<JoinResult> | JoinResult {
    const same = protocolsEqual(m.protocols, p.protocols);
    m.protocols = p.protocols;
    m.sessionTimeoutMs = p.sessionTimeoutMs;
    m.rebalanceTimeoutMs = p.rebalanceTimeoutMs;
    m.clientId = p.clientId;
    m.clientHost = p.clientHost;
    switch (g.state) {
      case 'PreparingRebalance': {
        const r = this.awaitJoin(m);
        this.maybeCompleteJoin(g);
        return r;
      }
      case 'CompletingRebalance':
        if (same) return this.currentJoinInfo(g, m);
        break;
      case 'Stable':
        if (same && m.id !== g.leaderId) return this.currentJoinInfo(g, m);
        break;
      default:
        return joinError(ErrorCode.UNKNOWN_MEMBER_ID, m.id);
    }
    const r = this.awaitJoin(m);
    this.prepareRebalance(g, `member ${m.id} rejoined${same ? '' : ' with new metadata'}`);
    return r;
  }

  private prepareRebalance(g: Group, reason: string): void {
    if (g.state === 'CompletingRebalance') {
      for (const m of g.members.values()) {
        m.assignment = EMPTY;
        if (m.syncWaiter) {
          const w = m.syncWaiter;
          m.syncWaiter = null;
          w(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        }
      }
    }
    const wasEmpty = g.state === 'Empty';
    g.state = 'PreparingRebalance';
    this.log(`group ${g.id}: preparing rebalance (${reason})`);
    if (g.rebalanceTimer) clearTimeout(g.rebalanceTimer);
    if (wasEmpty && this.initialDelay > 0) {
      g.initialDelayActive = true;
      g.rebalanceTimer = setTimeout(() => {
        g.initialDelayActive = false;
        g.rebalanceTimer = null;
        this.maybeCompleteJoin(g);
      }, this.initialDelay);
    } else {
      let timeout = 0;
      for (const m of g.members.values()) timeout = Math.max(timeout, m.rebalanceTimeoutMs);
      g.rebalanceTimer = setTimeout(() => this.onRebalanceTimeout(g), Math.max(timeout, 1));
    }
    g.rebalanceTimer.unref();
    this.maybeCompleteJoin(g);
  }

  private onRebalanceTimeout(g: Group): void {
    g.rebalanceTimer = null;
    if (g.state !== 'PreparingRebalance') return;
    for (const m of [...g.members.values()]) {
      if (!m.joinWaiter) {
        this.log(`group ${g.id}: member ${m.id} did not rejoin within the rebalance timeout`);
        this.dropMember(g, m);
      }
    }
    for (const t of g.pendingMembers.values()) clearTimeout(t);
    g.pendingMembers.clear();
    this.completeJoin(g);
  }

  private maybeCompleteJoin(g: Group): void {
    if (g.state === 'PreparingRebalance' && !g.initialDelayActive && g.allMembersJoined()) this.completeJoin(g);
  }

  private selectProtocol(g: Group): string {
    const members = [...g.members.values()];
    const candidates = members[0].protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    const votes = new Map<string, number>();
    for (const m of members) {
      const choice = m.protocols.find((p) => candidates.includes(p.name));
      if (choice) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best = candidates[0];
    for (const c of candidates) if ((votes.get(c) ?? 0) > (votes.get(best) ?? 0)) best = c;
    return best;
  }

  private completeJoin(g: Group): void {
    if (g.rebalanceTimer) clearTimeout(g.rebalanceTimer);
    g.rebalanceTimer = null;
    g.initialDelayActive = false;
    g.generationId++;
    if (g.members.size === 0) {
      g.state = 'Empty';
      g.protocolName = null;
      g.protocolType = null;
      g.leaderId = null;
      this.log(`group ${g.id}: generation ${g.generationId} is empty`);
      return;
    }
    g.protocolType = g.members.values().next().value!.protocolType;
    g.protocolName = this.selectProtocol(g);
    if (!g.leaderId || !g.members.has(g.leaderId)) g.leaderId = g.members.keys().next().value!;
    g.state = 'CompletingRebalance';
    this.log(`group ${g.id}: generation ${g.generationId}, ${g.members.size} member(s), leader ${g.leaderId}, protocol ${g.protocolName}`);
    let timeout = 0;
    for (const m of g.members.values()) {
      m.assignment = EMPTY;
      m.synced = false;
      timeout = Math.max(timeout, m.rebalanceTimeoutMs);
      const w = m.joinWaiter;
      m.joinWaiter = null;
      this.touch(g, m);
      w?.(this.currentJoinInfo(g, m));
    }
    // members that never send SyncGroup (e.g. a crashed leader) must not stall the group
    const generation = g.generationId;
    g.rebalanceTimer = setTimeout(() => {
      g.rebalanceTimer = null;
      if (g.state !== 'CompletingRebalance' || g.generationId !== generation) return;
      const missing = [...g.members.values()].filter((m) => !m.synced);
      for (const m of missing) {
        this.log(`group ${g.id}: member ${m.id} did not sync within the rebalance timeout`);
        this.dropMember(g, m);
      }
      this.prepareRebalance(g, 'members missed SyncGroup');
    }, Math.max(timeout, 1));
    g.rebalanceTimer.unref();
  }

  // ---------------------------------------------------------------- SyncGroup

  sync(p: SyncParams): Promise<SyncResult> | SyncResult {
    const g = this.groups.get(p.groupId);
    const m = g?.members.get(p.memberId);
    if (!g || !m) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (p.generationId !== g.generationId) return syncError(ErrorCode.ILLEGAL_GENERATION);
    if ((p.protocolType && p.protocolType !== g.protocolType) || (p.protocolName && p.protocolName !== g.protocolName)) {
      return syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    switch (g.state) {
      case 'PreparingRebalance':
        return syncError(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        this.touch(g, m);
        return { errorCode: 0, protocolType: g.protocolType, protocolName: g.protocolName, assignment: m.assignment };
      case 'CompletingRebalance': {
        if (m.syncWaiter) m.syncWaiter(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        const result = new Promise<SyncResult>((resolve) => (m.syncWaiter = resolve));
        m.synced = true;
        this.touch(g, m);
        if (m.id === g.leaderId) {
          if (g.rebalanceTimer) clearTimeout(g.rebalanceTimer);
          g.rebalanceTimer = null;
          for (const a of p.assignments) {
            const target = g.members.get(a.memberId);
            if (target) target.assignment = Buffer.from(a.assignment);
          }
          g.state = 'Stable';
          this.log(`group ${g.id}: generation ${g.generationId} is stable`);
          for (const x of g.members.values()) {
            const w = x.syncWaiter;
            x.syncWaiter = null;
            w?.({ errorCode: 0, protocolType: g.protocolType, protocolName: g.protocolName, assignment: x.assignment });
          }
        }
        return result;
      }
      default:
        return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  // ---------------------------------------------------------------- Heartbeat / LeaveGroup

  heartbeat(groupId: string, memberId: string, generationId: number): number {
    const g = this.groups.get(groupId);
    const m = g?.members.get(memberId);
    if (!g || !m || g.state === 'Empty' || g.state === 'Dead') return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.touch(g, m);
    return g.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** Member id of a static member (group.instance.id), or '' */
  memberIdForInstance(groupId: string, groupInstanceId: string): string {
    for (const m of this.groups.get(groupId)?.members.values() ?? []) if (m.groupInstanceId === groupInstanceId) return m.id;
    return '';
  }

  leave(groupId: string, memberIds: string[]): number[] {
    const g = this.groups.get(groupId);
    return memberIds.map((id) => {
      if (!g) return ErrorCode.UNKNOWN_MEMBER_ID;
      const pending = g.pendingMembers.get(id);
      if (pending) {
        clearTimeout(pending);
        g.pendingMembers.delete(id);
        this.maybeCompleteJoin(g);
        return ErrorCode.NONE;
      }
      const m = g.members.get(id);
      if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
      this.log(`group ${g.id}: member ${id} leaves`);
      this.removeMember(g, m);
      return ErrorCode.NONE;
    });
  }

  private dropMember(g: Group, m: Member): void {
    if (m.sessionTimer) clearTimeout(m.sessionTimer);
    m.sessionTimer = null;
    const jw = m.joinWaiter;
    const sw = m.syncWaiter;
    m.joinWaiter = m.syncWaiter = null;
    jw?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, m.id));
    sw?.(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    g.members.delete(m.id);
    if (g.leaderId === m.id) g.leaderId = null;
  }

  private removeMember(g: Group, m: Member): void {
    this.dropMember(g, m);
    if (g.state === 'Stable' || g.state === 'CompletingRebalance') this.prepareRebalance(g, `member ${m.id} left`);
    else this.maybeCompleteJoin(g);
  }

  private touch(g: Group, m: Member): void {
    if (m.sessionTimer) clearTimeout(m.sessionTimer);
    m.sessionTimer = setTimeout(() => {
      m.sessionTimer = null;
      if (g.members.get(m.id) !== m) return;
      if (m.joinWaiter || m.syncWaiter) return this.touch(g, m); // members awaiting a join/sync response stay alive
      this.log(`group ${g.id}: member ${m.id} session expired`);
      this.removeMember(g, m);
    }, m.sessionTimeoutMs);
    m.sessionTimer.unref();
  }

  // ---------------------------------------------------------------- offsets / admin

  /** Validates an OffsetCommit against group membership; returns an error code. */
  validateCommit(groupId: string, generationId: number, memberId: string): number {
    if (!groupId) return ErrorCode.INVALID_GROUP_ID;
    const g = this.getOrCreate(groupId);
    if (g.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (generationId < 0 && g.state === 'Empty') return ErrorCode.NONE; // simple (non-member) commit
    if (g.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    const m = g.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.touch(g, m);
    return ErrorCode.NONE;
  }

  describe(groupId: string) {
    const g = this.groups.get(groupId);
    if (!g) return { state: 'Dead' as GroupState, protocolType: '', protocolName: '', members: [] };
    return {
      state: g.state,
      protocolType: g.protocolType ?? '',
      protocolName: g.state === 'Stable' || g.state === 'CompletingRebalance' ? (g.protocolName ?? '') : '',
      members: [...g.members.values()].map((m) => ({
        memberId: m.id,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: g.state === 'Stable' || g.state === 'CompletingRebalance' ? m.metadataFor(g.protocolName) : EMPTY,
        assignment: g.state === 'Stable' ? m.assignment : EMPTY,
      })),
    };
  }

  /** Removes an empty group; NON_EMPTY_GROUP when it has members. */
  deleteGroup(groupId: string): number {
    const g = this.groups.get(groupId);
    if (g && g.members.size > 0) return ErrorCode.NON_EMPTY_GROUP;
    this.groups.delete(groupId);
    return ErrorCode.NONE;
  }

  close(): void {
    for (const g of this.groups.values()) {
      if (g.rebalanceTimer) clearTimeout(g.rebalanceTimer);
      for (const t of g.pendingMembers.values()) clearTimeout(t);
      for (const m of g.members.values()) {
        if (m.sessionTimer) clearTimeout(m.sessionTimer);
        m.joinWaiter?.(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, m.id));
        m.syncWaiter?.(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
        m.joinWaiter = m.syncWaiter = null;
      }
      g.state = 'Dead';
    }
  }
}
