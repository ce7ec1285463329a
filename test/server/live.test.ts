import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { io as connect, type Socket } from 'socket.io-client';
import type { RunningServer } from '../../server/http/server.ts';
import { call, cleanup, start, tempDir, TOKEN, until } from './support/server.ts';

let server: RunningServer;
let dataDir: string;
let outDir: string;

before(async () => {
  dataDir = tempDir();
  outDir = tempDir('sluice-out-');
  server = await start({ dataDir });
});

after(async () => {
  await server.close();
  cleanup(dataDir);
  cleanup(outDir);
});

/** GenerateFlowFile → UpdateAttribute (same file name every time) → PutFile (conflict = fail → WARNING bulletins). */
function fileFlow() {
  return {
    formatVersion: 1, id: 'live', name: 'Live',
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', properties: { 'Batch Size': '2', 'Custom Text': 'live data' }, scheduling: { runSchedule: '50 ms' } },
      { id: 'name', type: 'UpdateAttribute', properties: { filename: 'same.txt' } },
      { id: 'put', type: 'PutFile', properties: { Directory: outDir, 'Conflict Resolution Strategy': 'fail' }, autoTerminate: ['success', 'failure'] },
    ],
    connections: [
      { id: 'gen-name', source: 'gen', relationships: ['success'], destination: 'name' },
      { id: 'name-put', source: 'name', relationships: ['success'], destination: 'put' },
    ],
  };
}

/** The TCP socket under a client's websocket. */
function raw(s: Socket): { pause(): void; destroy(): void } | undefined {
  return (s.io.engine.transport as unknown as { ws?: { _socket?: { pause(): void; destroy(): void } } }).ws?._socket;
}

interface Snapshot { timestamp: number; processors: { id: string; state: string; in: { count: number }; out: { count: number } }[] }

test('a socket.io client receives live counters, bulletins and run-state changes', async () => {
  assert.equal((await call(server, 'POST', '/api/flows', { body: fileFlow() })).status, 201);
  const socket: Socket = connect(server.url, { auth: { token: TOKEN }, transports: ['websocket'], forceNew: true, reconnection: false });
  const snapshots: { at: number; s: Snapshot }[] = [];
  const bulletins: { message: string; level: string }[] = [];
  const runStates: { processorId: string; state: string }[] = [];
  const flowEvents: { flowId: string; change: string }[] = [];
  socket.on('status', (s: Snapshot) => snapshots.push({ at: Date.now(), s }));
  socket.on('bulletins', (m: { flowId: string; bulletins: { message: string; level: string }[] }) => { assert.equal(m.flowId, 'live'); bulletins.push(...m.bulletins); });
  socket.on('runState', (e: { processorId: string; state: string }) => runStates.push(e));
  socket.on('flow', (e: { flowId: string; change: string }) => flowEvents.push(e));
  try {
    await new Promise<void>((resolve, reject) => { socket.on('connect', resolve); socket.on('connect_error', reject); });
    const bad = await socket.emitWithAck('subscribe', { flowId: 'nope' });
    assert.deepEqual(bad, { error: 'Flow "nope" does not exist.' });
    const malformed = await socket.emitWithAck('subscribe', { flow: 1 });
    assert.equal(malformed.error, 'subscribe needs { flowId: "<id>" }.');
    const ack = await socket.emitWithAck('subscribe', { flowId: 'live' });
    assert.deepEqual(ack, { ok: true, flowId: 'live', intervalMs: 1000 });
    await until(() => snapshots.length >= 1, 2000, 'the first snapshot');
    assert.equal(snapshots[0].s.processors[0].state, 'STOPPED');

    await call(server, 'POST', '/api/flows/live/start');
    await until(() => runStates.filter((e) => e.state === 'RUNNING').length === 3, 2000, 'run-state events');
    await until(() => snapshots.length >= 4, 6000, 'snapshots while running');
    const counts = snapshots.map(({ s }) => s.processors.find((p) => p.id === 'put')!.in.count);
    assert.ok(counts.at(-1)! > counts[1], `counters grow: ${counts.join(', ')}`);
    assert.ok(counts.at(-1)! > 0);
    for (let i = 2; i < snapshots.length; i++) {
      const gap = snapshots[i].s.timestamp - snapshots[i - 1].s.timestamp;
      assert.ok(gap >= 950, `at most one snapshot per second (${gap} ms apart)`);
    }
    await until(() => bulletins.some((b) => /already exists/.test(b.message)), 3000, 'a bulletin');
    assert.equal(bulletins[0].level, 'WARNING');

    runStates.length = 0;
    await call(server, 'POST', '/api/flows/live/processors/gen/stop');
    await until(() => runStates.length > 0, 2000, 'a run-state change');
    assert.deepEqual(runStates, [{ flowId: 'live', processorId: 'gen', state: 'STOPPED', desiredState: 'STOPPED' }]);

    const unsub = await socket.emitWithAck('unsubscribe', { flowId: 'live' });
    assert.deepEqual(unsub, { ok: true });
    const before = snapshots.length;
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(snapshots.length, before, 'no snapshots after unsubscribing');

    await call(server, 'DELETE', '/api/flows/live');
    await until(() => flowEvents.some((e) => e.flowId === 'live' && e.change === 'deleted'), 2000, 'the flow event');
  } finally {
    socket.close();
  }
});

test('a client that never reads does not slow the engine or pile up snapshots', async () => {
  const flow = {
    formatVersion: 1, id: 'busy', name: 'Busy',
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', properties: { 'Batch Size': '200', 'Custom Text': 'x' } },
      { id: 'tag', type: 'UpdateAttribute', properties: { a: 'b' }, autoTerminate: ['success'] },
    ],
    connections: [{ id: 'c', source: 'gen', relationships: ['success'], destination: 'tag' }],
  };
  await call(server, 'POST', '/api/flows', { body: flow });
  const sockets: Socket[] = [];
  for (let i = 0; i < 5; i++) {
    const s = connect(server.url, { auth: { token: TOKEN }, transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve, reject) => { s.on('connect', resolve); s.on('connect_error', reject); });
    await s.emitWithAck('subscribe', { flowId: 'busy' });
    // Stop reading: pause the underlying websocket so the server's sends back up.
    raw(s)?.pause();
    sockets.push(s);
  }
  try {
    await call(server, 'POST', '/api/flows/busy/start');
    const t0 = Date.now();
    const latencies: number[] = [];
    while (Date.now() - t0 < 2500) {
      const s = Date.now();
      const r = await call(server, 'GET', '/api/flows/busy/status');
      latencies.push(Date.now() - s);
      assert.equal(r.status, 200);
    }
    latencies.sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length * 0.5)];
    assert.ok(p50 < 150, `status stays responsive with stalled clients (p50 ${p50} ms)`);
    for (const socket of server.live.io.sockets.sockets.values()) {
      const backlog = (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
      assert.ok(backlog <= 10, `nothing piles up for a stalled client (${backlog} packets waiting)`);
    }
    const status = (await call(server, 'GET', '/api/flows/busy/status')).json;
    assert.ok(status.processors[1].in.count > 1000, 'the flow kept moving');
  } finally {
    await call(server, 'DELETE', '/api/flows/busy');
    for (const s of sockets) { raw(s)?.destroy(); s.close(); }
  }
});
