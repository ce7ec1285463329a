// Group coordination at the protocol level (raw client, short timeouts): MEMBER_ID_REQUIRED,
// generations, leader election, REBALANCE_IN_PROGRESS on heartbeat, assignment distribution,
// leave and session-timeout rebalances, offset commit validation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startKafkaTestBroker, type KafkaTestBroker } from '../support/kafka/broker.ts';
import { ApiKey } from '../support/kafka/protocol/api-keys.ts';
import { ErrorCode } from '../support/kafka/protocol/errors.ts';
import { RawKafkaClient } from '../support/kafka/raw-client.ts';

let broker: KafkaTestBroker;
const clients: RawKafkaClient[] = [];

before(async () => {
  broker = await startKafkaTestBroker({ port: 0, minSessionTimeoutMs: 100 });
});
after(async () => {
  for (const c of clients) c.close();
  await broker.close();
});

async function connect(): Promise<RawKafkaClient> {
  const c = await RawKafkaClient.connect(broker.brokers);
  clients.push(c);
  return c;
}

const join = (c: RawKafkaClient, group: string, memberId: string, sessionTimeoutMs = 5000, rebalanceTimeoutMs = 5000) =>
  c.request(ApiKey.JoinGroup, 5, {
    GroupId: group,
    SessionTimeoutMs: sessionTimeoutMs,
    RebalanceTimeoutMs: rebalanceTimeoutMs,
    MemberId: memberId,
    GroupInstanceId: null,
    ProtocolType: 'consumer',
    Protocols: [{ Name: 'range', Metadata: Buffer.from(memberId ? `meta` : 'meta') }],
  });

async function joinNew(c: RawKafkaClient, group: string, sessionTimeoutMs?: number, rebalanceTimeoutMs?: number) {
  const first = await join(c, group, '', sessionTimeoutMs, rebalanceTimeoutMs);
  assert.equal(first.ErrorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assert.ok(first.MemberId);
  return { memberId: first.MemberId as string, response: join(c, group, first.MemberId, sessionTimeoutMs, rebalanceTimeoutMs) };
}

const sync = (c: RawKafkaClient, group: string, generation: number, memberId: string, assignments: { MemberId: string; Assignment: Buffer }[] = []) =>
  c.request(ApiKey.SyncGroup, 3, { GroupId: group, GenerationId: generation, MemberId: memberId, GroupInstanceId: null, Assignments: assignments });

const heartbeat = async (c: RawKafkaClient, group: string, generation: number, memberId: string) =>
  (await c.request(ApiKey.Heartbeat, 3, { GroupId: group, GenerationId: generation, MemberId: memberId, GroupInstanceId: null })).ErrorCode as number;

describe('group coordination', () => {
  it('runs join/sync generations with a leader and rebalances when a member joins and leaves', async () => {
    const [a, b] = [await connect(), await connect()];
    const g = 'g-proto';
    const ja = await joinNew(a, g);
    const ra = await ja.response;
    assert.equal(ra.ErrorCode, 0);
    assert.equal(ra.GenerationId, 1);
    assert.equal(ra.Leader, ja.memberId);
    assert.equal(ra.ProtocolName, 'range');
    assert.equal(ra.Members.length, 1);
    const sa = await sync(a, g, 1, ja.memberId, [{ MemberId: ja.memberId, Assignment: Buffer.from('all') }]);
    assert.equal(sa.Assignment.toString(), 'all');
    assert.equal(await heartbeat(a, g, 1, ja.memberId), 0);

    // b joins: its JoinGroup waits until a rejoins; a learns about it from its heartbeat
    const jb = await joinNew(b, g);
    await sleep(50);
    assert.equal(await heartbeat(a, g, 1, ja.memberId), ErrorCode.REBALANCE_IN_PROGRESS);
    const ra2 = await join(a, g, ja.memberId);
    const rb2 = await jb.response;
    assert.equal(ra2.GenerationId, 2);
    assert.equal(rb2.GenerationId, 2);
    assert.equal(ra2.Leader, ja.memberId, 'leader kept');
    assert.equal(ra2.Members.length, 2, 'leader gets the member list');
    assert.equal(rb2.Members.length, 0, 'followers do not');

    // follower's sync waits for the leader's assignment
    const sbPending = sync(b, g, 2, jb.memberId);
    await sleep(50);
    const sa2 = await sync(a, g, 2, ja.memberId, [
      { MemberId: ja.memberId, Assignment: Buffer.from('half-a') },
      { MemberId: jb.memberId, Assignment: Buffer.from('half-b') },
    ]);
    assert.equal(sa2.Assignment.toString(), 'half-a');
    assert.equal((await sbPending).Assignment.toString(), 'half-b');
    assert.equal(await heartbeat(b, g, 1, jb.memberId), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(await heartbeat(b, g, 2, 'nobody'), ErrorCode.UNKNOWN_MEMBER_ID);

    const desc = await a.request(ApiKey.DescribeGroups, 2, { Groups: [g] });
    assert.equal(desc.Groups[0].GroupState, 'Stable');
    assert.equal(desc.Groups[0].Members.length, 2);

    // a leaves: b rejoins alone and becomes leader
    const leave = await a.request(ApiKey.LeaveGroup, 3, { GroupId: g, Members: [{ MemberId: ja.memberId, GroupInstanceId: null }] });
    assert.equal(leave.Members[0].ErrorCode, 0);
    assert.equal(await heartbeat(b, g, 2, jb.memberId), ErrorCode.REBALANCE_IN_PROGRESS);
    const rb3 = await join(b, g, jb.memberId);
    assert.equal(rb3.GenerationId, 3);
    assert.equal(rb3.Leader, jb.memberId);
  });

  it('expires members that stop heartbeating and rebalances the rest', async () => {
    const [a, b] = [await connect(), await connect()];
    const g = 'g-session';
    const ja = await joinNew(a, g, 400);
    const ra = await ja.response;
    await sync(a, g, ra.GenerationId, ja.memberId, []);
    const jb = await joinNew(b, g, 5000);
    await sleep(50);
    assert.equal(await heartbeat(a, g, 1, ja.memberId), ErrorCode.REBALANCE_IN_PROGRESS);
    await join(a, g, ja.memberId, 400);
    const rb = await jb.response;
    assert.equal(rb.GenerationId, 2);
    await sync(b, g, 2, jb.memberId);
    // a goes silent; b keeps heartbeating and sees the rebalance
    let code = 0;
    const t0 = Date.now();
    while (code === 0 && Date.now() - t0 < 3000) {
      await sleep(100);
      code = await heartbeat(b, g, 2, jb.memberId);
    }
    assert.equal(code, ErrorCode.REBALANCE_IN_PROGRESS);
    const rb2 = await join(b, g, jb.memberId);
    assert.equal(rb2.GenerationId, 3);
    assert.equal(rb2.Members.length, 1);
    assert.equal(rb2.Leader, jb.memberId);
  });

  it('removes members that do not rejoin within the rebalance timeout', async () => {
    const [a, b] = [await connect(), await connect()];
    const g = 'g-rebalance-timeout';
    const ja = await joinNew(a, g, 5000, 300);
    const ra = await ja.response;
    await sync(a, g, ra.GenerationId, ja.memberId, []);
    const jb = await joinNew(b, g, 5000, 300);
    const t0 = Date.now();
    const rb = await jb.response; // a never rejoins
    assert.ok(Date.now() - t0 >= 250);
    assert.equal(rb.GenerationId, 2);
    assert.equal(rb.Members.length, 1);
    assert.equal(await heartbeat(a, g, 1, ja.memberId), ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('validates offset commits against the generation', async () => {
    const a = await connect();
    const g = 'g-commit';
    await a.request(ApiKey.CreateTopics, 2, { Topics: [{ Name: 'commit-t', NumPartitions: 2, ReplicationFactor: 1, Assignments: [], Configs: [] }], timeoutMs: 1000, validateOnly: false });
    const commit = (gen: number, member: string, offset = 5) =>
      a.request(ApiKey.OffsetCommit, 2, { GroupId: g, GenerationIdOrMemberEpoch: gen, MemberId: member, RetentionTimeMs: -1, Topics: [{ Name: 'commit-t', Partitions: [{ PartitionIndex: 0, CommittedOffset: offset, CommittedMetadata: 'm' }] }] });
    // simple commit while the group is empty
    assert.equal((await commit(-1, '')).Topics[0].Partitions[0].ErrorCode, 0);
    const ja = await joinNew(a, g);
    const ra = await ja.response;
    assert.equal((await commit(ra.GenerationId, ja.memberId)).Topics[0].Partitions[0].ErrorCode, ErrorCode.REBALANCE_IN_PROGRESS, 'awaiting sync');
    await sync(a, g, ra.GenerationId, ja.memberId, []);
    assert.equal((await commit(-1, '')).Topics[0].Partitions[0].ErrorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'group has members');
    assert.equal((await commit(ra.GenerationId + 1, ja.memberId)).Topics[0].Partitions[0].ErrorCode, ErrorCode.ILLEGAL_GENERATION);
    assert.equal((await commit(ra.GenerationId, ja.memberId, 7)).Topics[0].Partitions[0].ErrorCode, 0);
    const fetched = await a.request(ApiKey.OffsetFetch, 3, { GroupId: g, Topics: null });
    assert.deepEqual(
      fetched.Topics.map((t: any) => [t.Name, t.Partitions.map((p: any) => [p.PartitionIndex, p.CommittedOffset, p.Metadata])]),
      [['commit-t', [[0, 7, 'm']]]],
    );
    const v8 = await a.request(ApiKey.OffsetFetch, 8, { Groups: [{ GroupId: g, Topics: [{ Name: 'commit-t', PartitionIndexes: [0, 1] }] }], RequireStable: false });
    assert.deepEqual(v8.Groups[0].Topics[0].Partitions.map((p: any) => p.CommittedOffset), [7, -1]);
  });

  it('finds the coordinator for groups and transactions', async () => {
    const a = await connect();
    const v2 = await a.request(ApiKey.FindCoordinator, 2, { Key: 'g', KeyType: 0 });
    assert.deepEqual([v2.ErrorCode, v2.NodeId, v2.Port], [0, 1, broker.port]);
    const v4 = await a.request(ApiKey.FindCoordinator, 4, { KeyType: 1, CoordinatorKeys: ['tx-a', 'tx-b'] });
    assert.deepEqual(v4.Coordinators.map((c: any) => [c.Key, c.ErrorCode, c.Port]), [['tx-a', 0, broker.port], ['tx-b', 0, broker.port]]);
  });
});

describe('group edge cases', () => {
  it('a leader that never sends SyncGroup is removed after the rebalance timeout', async () => {
    const [a, b] = [await connect(), await connect()];
    const g = 'g-no-sync';
    const ja = await joinNew(a, g, 5000, 300);
    const ra = await ja.response;
    await sync(a, g, ra.GenerationId, ja.memberId, []);
    const jb = await joinNew(b, g, 5000, 300);
    await sleep(50);
    assert.equal(await heartbeat(a, g, 1, ja.memberId), ErrorCode.REBALANCE_IN_PROGRESS);
    const [ra2, rb2] = await Promise.all([join(a, g, ja.memberId, 5000, 300), jb.response]);
    assert.equal(ra2.Leader, ja.memberId);
    // the leader goes away without syncing; the follower's SyncGroup is answered with a rebalance
    const sb = await sync(b, g, rb2.GenerationId, jb.memberId);
    assert.equal(sb.ErrorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    const rb3 = await join(b, g, jb.memberId, 5000, 300);
    assert.equal(rb3.Leader, jb.memberId);
    assert.equal(rb3.Members.length, 1);
  });

  it('a restarted static member replaces its previous incarnation', async () => {
    const a = await connect();
    const g = 'g-static';
    const body = (memberId: string) => ({
      GroupId: g, SessionTimeoutMs: 5000, RebalanceTimeoutMs: 5000, MemberId: memberId, GroupInstanceId: 'instance-1',
      ProtocolType: 'consumer', Protocols: [{ Name: 'range', Metadata: Buffer.from('m') }],
    });
    const r1 = await a.request(ApiKey.JoinGroup, 5, body(''));
    assert.equal(r1.ErrorCode, 0, 'static members skip MEMBER_ID_REQUIRED');
    await sync(a, g, r1.GenerationId, r1.MemberId, []);
    const r2 = await a.request(ApiKey.JoinGroup, 5, body(''));
    assert.equal(r2.ErrorCode, 0);
    assert.notEqual(r2.MemberId, r1.MemberId);
    assert.equal(r2.Members.length, 1);
    const leave = await a.request(ApiKey.LeaveGroup, 3, { GroupId: g, Members: [{ MemberId: '', GroupInstanceId: 'instance-1' }] });
    assert.equal(leave.Members[0].ErrorCode, 0);
    const desc = await a.request(ApiKey.DescribeGroups, 4, { Groups: [g], IncludeAuthorizedOperations: false });
    assert.equal(desc.Groups[0].GroupState, 'Empty');
  });
});
