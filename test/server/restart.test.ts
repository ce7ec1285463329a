import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call, chainFlow, cleanup, start, tempDir, TOKEN, until } from './support/server.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('after a restart every flow is back and what was running runs again', async () => {
  const dataDir = tempDir();
  try {
    let s = await start({ dataDir });
    await call(s, 'POST', '/api/flows', { body: chainFlow('Keeps running', { runSchedule: '20 ms' }) });
    await call(s, 'POST', '/api/flows', { body: chainFlow('Stays stopped') });
    await call(s, 'POST', '/api/flows', { body: chainFlow('Half', { runSchedule: '20 ms' }) });
    assert.equal((await call(s, 'POST', '/api/flows/keeps-running/start')).status, 200);
    assert.equal((await call(s, 'POST', '/api/flows/half/processors/gen/start')).status, 200);
    assert.equal((await call(s, 'POST', '/api/flows/half/processors/tag/disable')).status, 200);
    const onDisk = JSON.parse(readFileSync(join(dataDir, 'flows', 'keeps-running.json'), 'utf8'));
    assert.deepEqual(onDisk.processors.map((p: { state?: string }) => p.state), ['RUNNING', 'RUNNING'], 'desired state persisted in the flow JSON');
    assert.deepEqual(readdirSync(join(dataDir, 'flows')).sort(), ['half.json', 'keeps-running.json', 'stays-stopped.json'], 'no temp files left');
    await s.close();

    s = await start({ dataDir });
    try {
      const flows = (await call(s, 'GET', '/api/flows')).json.flows as { id: string; runState: string }[];
      assert.deepEqual(Object.fromEntries(flows.map((f) => [f.id, f.runState])), { 'half': 'RUNNING', 'keeps-running': 'RUNNING', 'stays-stopped': 'STOPPED' });
      const half = (await call(s, 'GET', '/api/flows/half/status')).json;
      assert.deepEqual(half.processors.map((p: { state: string }) => p.state), ['RUNNING', 'DISABLED']);
      await until(async () => (await call(s, 'GET', '/api/flows/keeps-running/status')).json.processors[1].in.count > 10, 5000, 'the restarted flow to move data');

      // Editing a running flow keeps it running (and restarts it with the new definition).
      const def = (await call(s, 'GET', '/api/flows/keeps-running')).json.flow;
      def.processors[1].properties.stage = 'v2';
      const put = await call(s, 'PUT', '/api/flows/keeps-running', { body: def });
      assert.equal(put.status, 200, put.text);
      assert.deepEqual(put.json.restarted.sort(), ['gen', 'tag']);
      const after = (await call(s, 'GET', '/api/flows/keeps-running/status')).json;
      assert.equal(after.runState, 'RUNNING');
      assert.equal(after.version, 2);
      await call(s, 'POST', '/api/flows/keeps-running/stop');
    } finally {
      await s.close();
    }

    s = await start({ dataDir });
    try {
      assert.equal((await call(s, 'GET', '/api/flows/keeps-running/status')).json.runState, 'STOPPED', 'a stop is persisted too');
      assert.equal((await call(s, 'GET', '/api/flows/keeps-running')).json.flow.processors[1].properties.stage, 'v2');
    } finally {
      await s.close();
    }
  } finally {
    cleanup(dataDir);
  }
});

test('a first start with an empty data dir loads the examples, stopped; later starts do not', async () => {
  const dataDir = tempDir();
  const examples = tempDir('sluice-examples-');
  writeFileSync(join(examples, 'one.json'), JSON.stringify({ ...chainFlow('Example one'), processors: chainFlow().processors.map((p) => ({ ...p, state: 'RUNNING' })) }));
  writeFileSync(join(examples, 'broken.json'), JSON.stringify({ formatVersion: 1, name: 'Broken', processors: [{ id: 'x', type: 'NoSuchType' }] }));
  writeFileSync(join(examples, 'notes.txt'), 'ignored');
  writeFileSync(join(examples, 'not-a-flow.json'), '{"hello": 1}');
  try {
    let s = await start({ dataDir, examplesDir: examples });
    try {
      const flows = (await call(s, 'GET', '/api/flows')).json.flows;
      assert.deepEqual(flows.map((f: { id: string; runState: string }) => [f.id, f.runState]), [['broken', 'INVALID'], ['one', 'STOPPED']], 'examples load stopped; invalid ones are listed with their problems');
      const broken = (await call(s, 'GET', '/api/flows/broken')).json;
      assert.deepEqual(broken.problems, [{ path: 'processors[0].type', message: 'unknown processor type "NoSuchType"' }]);
      const startBroken = await call(s, 'POST', '/api/flows/broken/start');
      assert.equal(startBroken.status, 409);
      assert.equal(startBroken.json.error, 'Flow "broken" cannot run until its problems are fixed.');
      const fixed = await call(s, 'PUT', '/api/flows/broken', { body: chainFlow('Fixed') });
      assert.equal(fixed.status, 200, fixed.text);
      assert.deepEqual(fixed.json.problems, []);
      assert.equal((await call(s, 'GET', '/api/flows/broken/status')).json.runState, 'STOPPED');
      await call(s, 'DELETE', '/api/flows/one');
      await call(s, 'DELETE', '/api/flows/broken');
    } finally { await s.close(); }
    s = await start({ dataDir, examplesDir: examples });
    try {
      assert.deepEqual((await call(s, 'GET', '/api/flows')).json.flows, [], 'not re-imported once the data dir exists');
    } finally { await s.close(); }

    // The repository's own examples all load.
    const fresh = tempDir();
    s = await start({ dataDir: fresh, examplesDir: join(ROOT, 'flows', 'examples') });
    try {
      const ids = (await call(s, 'GET', '/api/flows')).json.flows.map((f: { id: string }) => f.id);
      const files = readdirSync(join(ROOT, 'flows', 'examples')).filter((n) => n.endsWith('.json'));
      assert.equal(ids.length, files.length, `every example loaded: ${ids.join(', ')}`);
    } finally { await s.close(); cleanup(fresh); }
  } finally {
    cleanup(dataDir);
    cleanup(examples);
  }
});

test('sluice serve shuts down gracefully on SIGTERM with exit code 0', async () => {
  const dataDir = tempDir();
  try {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'sluice.js'), 'serve', '--port', '0', '--data-dir', dataDir], {
      env: { ...process.env, SLUICE_TOKEN: TOKEN, SLUICE_LOG_LEVEL: 'warn', SLUICE_HOST: '', SLUICE_PORT: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await until(() => /Open: http:\/\/127\.0\.0\.1:\d+\/\?token=/.test(out) || child.exitCode !== null, 20_000, `the server to start (${err})`);
    const url = /Sluice is ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
    assert.ok(out.includes(`?token=${TOKEN}`));
    const created = await call({ url }, 'POST', '/api/flows', { body: chainFlow('Cli', { runSchedule: '10 ms' }) });
    assert.equal(created.status, 201);
    await call({ url }, 'POST', '/api/flows/cli/start');
    child.kill('SIGTERM');
    assert.equal(await exited, 0, `exit code 0 (stderr: ${err})`);
    const onDisk = JSON.parse(readFileSync(join(dataDir, 'flows', 'cli.json'), 'utf8'));
    assert.equal(onDisk.processors[0].state, 'RUNNING', 'shutdown keeps the desired state');
  } finally {
    cleanup(dataDir);
  }
});
