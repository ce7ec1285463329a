import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import type { RunningServer } from '../../server/http/server.ts';
import { startServer } from '../../server/http/server.ts';
import { resolveSettings, SettingsError } from '../../server/manager/settings.ts';
import { call, chainFlow, cleanup, start, tempDir, TOKEN, until } from './support/server.ts';

let server: RunningServer;
let dataDir: string;

before(async () => {
  dataDir = tempDir();
  server = await start({ dataDir, maxBodyBytes: 64 * 1024 });
});

after(async () => {
  await server.close();
  cleanup(dataDir);
});

const noStack = (text: string) => assert.ok(!/\bat .*\.(ts|js):\d+/.test(text) && !text.includes('Error:'), `no stack trace in ${text}`);

test('REST calls need the token', async () => {
  const none = await call(server, 'GET', '/api/flows', { token: null });
  assert.equal(none.status, 401);
  assert.equal(none.json.error, 'An access token is required: send the header "Authorization: Bearer <token>".');
  assert.equal(none.headers['www-authenticate'], 'Bearer realm="sluice"');

  const wrong = await call(server, 'GET', '/api/flows', { token: `${TOKEN}x` });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json.error, 'The access token is not valid.');

  const basic = await call(server, 'GET', '/api/flows', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } });
  assert.equal(basic.status, 401);
  assert.equal(basic.json.error, 'The Authorization header must look like "Bearer <token>".');

  const query = await call(server, 'GET', `/api/flows?token=${TOKEN}`, { token: null });
  assert.equal(query.status, 401, 'the token is not accepted in the query string of API calls');
  assert.equal((await call(server, 'GET', '/api/flows')).status, 200);
});

test('foreign Origin and Host headers are rejected (CSRF, DNS rebinding)', async () => {
  const foreign = await call(server, 'GET', '/api/flows', { headers: { Origin: 'https://evil.example' } });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.json.error, 'Cross-origin requests are not allowed: Origin "https://evil.example" is not this server.');

  const nullOrigin = await call(server, 'POST', '/api/flows', { body: chainFlow(), headers: { Origin: 'null' } });
  assert.equal(nullOrigin.status, 403);

  const otherPort = await call(server, 'GET', '/api/flows', { headers: { Origin: 'http://127.0.0.1:1' } });
  assert.equal(otherPort.status, 403);

  const same = await call(server, 'GET', '/api/flows', { headers: { Origin: server.url } });
  assert.equal(same.status, 200);

  const rebinding = await call(server, 'GET', '/api/flows', { headers: { Host: `attacker.example:${server.port}` } });
  assert.equal(rebinding.status, 403);
  assert.match(rebinding.json.error, /^The Host header "attacker\.example:\d+" is not one this server answers to \(DNS rebinding protection\)/);
  const localhost = await call(server, 'GET', '/api/flows', { headers: { Host: `localhost:${server.port}`, Origin: `http://localhost:${server.port}` } });
  assert.equal(localhost.status, 200);
  const staticRebinding = await call(server, 'GET', '/', { token: null, headers: { Host: 'attacker.example' } });
  assert.equal(staticRebinding.status, 403);
});

function socketError(url: string, opts: Parameters<typeof connect>[1]): Promise<Error> {
  return new Promise((resolve, reject) => {
    const s: Socket = connect(url, { reconnection: false, forceNew: true, timeout: 3000, ...opts });
    s.on('connect', () => { s.close(); reject(new Error('connected but should not have')); });
    s.on('connect_error', (e) => { s.close(); resolve(e); });
  });
}

test('socket.io handshakes need the token and the server\'s own Origin', async () => {
  const none = await socketError(server.url, { transports: ['websocket'] });
  assert.equal(none.message, 'An access token is required: connect with auth: { token }.');
  const wrong = await socketError(server.url, { transports: ['websocket'], auth: { token: 'nope-nope-nope-nope' } });
  assert.equal(wrong.message, 'The access token is not valid.');
  for (const transport of ['websocket', 'polling'] as const) {
    const foreign = await socketError(server.url, { transports: [transport], auth: { token: TOKEN }, extraHeaders: { Origin: 'https://evil.example' } });
    assert.ok(foreign, `foreign origin refused over ${transport}`);
  }
  const ok = await new Promise<boolean>((resolve) => {
    const s = connect(server.url, { transports: ['websocket'], auth: { token: TOKEN }, forceNew: true, reconnection: false, extraHeaders: { Origin: server.url } });
    s.on('connect', () => { s.close(); resolve(true); });
    s.on('connect_error', () => { s.close(); resolve(false); });
  });
  assert.equal(ok, true, 'same-origin handshake with the token connects');

  // Requests after the handshake (polling with a session id) are checked too.
  const handshake = await call(server, 'GET', '/socket.io/?EIO=4&transport=polling', { token: null });
  assert.equal(handshake.status, 200);
  const sid = JSON.parse(handshake.text.slice(1)).sid as string;
  const hijack = await call(server, 'GET', `/socket.io/?EIO=4&transport=polling&sid=${sid}`, { token: null, headers: { Origin: 'https://evil.example' } });
  assert.equal(hijack.status, 400);
  const foreignHandshake = await call(server, 'GET', '/socket.io/?EIO=4&transport=polling', { token: null, headers: { Origin: 'https://evil.example' } });
  assert.ok(foreignHandshake.status === 400 || foreignHandshake.status === 403, `foreign handshake refused (${foreignHandshake.status})`);
});

test('malformed JSON, wrong content types and oversize bodies get clear 4xx answers', async () => {
  const malformed = await call(server, 'POST', '/api/flows', { raw: '{"formatVersion": 1, "name": ' });
  assert.equal(malformed.status, 400);
  assert.match(malformed.json.error, /^The request body is not valid JSON: /);
  noStack(malformed.text);

  const form = await call(server, 'POST', '/api/flows', { raw: 'a=b', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(form.status, 415);
  assert.equal(form.json.error, 'Send the body as JSON (Content-Type: application/json or text/plain), not "application/x-www-form-urlencoded".');

  const big = JSON.stringify({ ...chainFlow(), description: 'x'.repeat(100 * 1024) });
  const oversize = await call(server, 'POST', '/api/flows', { raw: big });
  assert.equal(oversize.status, 413);
  assert.equal(oversize.json.error, 'The request body is larger than the limit of 64 KB.');

  const missing = await call(server, 'POST', '/api/flows');
  assert.equal(missing.status, 400);
  assert.equal(missing.json.error, 'A JSON request body (a flow definition, format v1) is required.');

  const array = await call(server, 'POST', '/api/flows', { body: [1, 2] });
  assert.equal(array.status, 400);
  assert.equal(array.json.error, 'The request body must be a JSON object (a flow definition, format v1).');
});

test('__proto__, constructor and prototype keys are refused and nothing is polluted', async () => {
  const payloads = [
    '{"__proto__": {"polluted": "yes"}, "formatVersion": 1, "name": "p", "processors": []}',
    '{"formatVersion": 1, "name": "p", "processors": [{"id": "a", "type": "GenerateFlowFile", "properties": {"__proto__": {"polluted": "yes"}}}]}',
    '{"constructor": {"prototype": {"polluted": "yes"}}, "formatVersion": 1, "name": "p", "processors": []}',
    '{"formatVersion": 1, "name": "p", "parameters": {"prototype": "x"}, "processors": []}',
    '{"formatVersion": 1, "name": "p", "processors": [], "\\u005f_proto__": {"polluted": "yes"}}',
  ];
  for (const raw of payloads) {
    for (const path of ['/api/flows', '/api/flows/import']) {
      const r = await call(server, 'POST', path, { raw });
      assert.equal(r.status, 400, raw);
      assert.match(r.json.error, /^The JSON must not contain the key "(__proto__|constructor|prototype)"\.$/);
    }
  }
  const r = await call(server, 'POST', '/api/flows', { raw: payloads[0] });
  assert.equal(r.json.error, 'The JSON must not contain the key "__proto__".');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  assert.equal((Object as unknown as Record<string, unknown>).polluted, undefined);
  assert.equal((await call(server, 'GET', '/api/flows')).json.flows.length, 0, 'nothing was created');
});

test('10,000-deep nesting is a 400, not a crash', async () => {
  for (const raw of ['['.repeat(10_000) + ']'.repeat(10_000), '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000), '['.repeat(10_000)]) {
    const r = await call(server, 'POST', '/api/flows', { raw });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'The JSON is nested more than 64 levels deep.');
  }
  assert.equal((await call(server, 'GET', '/livez', { token: null })).status, 200, 'server still alive');
});

test('unknown types, wrong values and dangling ids are 400 with details', async () => {
  const unknown = chainFlow();
  unknown.processors[1].type = 'UpdateAttributes';
  const r1 = await call(server, 'POST', '/api/flows', { body: unknown });
  assert.equal(r1.status, 400);
  assert.equal(r1.json.error, 'The flow definition is invalid (1 problem).');
  assert.deepEqual(r1.json.details, [{ path: 'processors[1].type', message: 'unknown processor type "UpdateAttributes" (did you mean "UpdateAttribute"?)' }]);

  const wrongValue = chainFlow();
  wrongValue.processors[0].properties['Batch Size'] = '-3';
  const r2 = await call(server, 'POST', '/api/flows', { body: wrongValue });
  assert.equal(r2.status, 400);
  assert.equal(r2.json.details[0].path, 'processors[0].properties["Batch Size"]');

  const dangling = chainFlow();
  dangling.connections[0].destination = 'ghost';
  const r3 = await call(server, 'POST', '/api/flows', { body: dangling });
  assert.equal(r3.status, 400);
  assert.ok(r3.json.details.some((d: { path: string; message: string }) => d.path === 'connections[0].destination' && d.message === 'no processor with id "ghost"'));

  const schema = await call(server, 'POST', '/api/flows', { body: { formatVersion: 2, name: '', processors: 'x', extra: 1 } });
  assert.equal(schema.status, 400);
  assert.ok(schema.json.details.length >= 3);
  for (const r of [r1, r2, r3, schema]) noStack(r.text);

  const badId = await call(server, 'POST', '/api/flows', { body: { ...chainFlow(), id: '../../etc/passwd' } });
  assert.equal(badId.status, 400);
  assert.equal(badId.json.details[0].path, 'id');
  const badQuery = await call(server, 'GET', '/api/flows/x/provenance?limit=abc');
  assert.equal(badQuery.status, 400);
  assert.deepEqual(badQuery.json.details, [{ path: 'query.limit', message: 'must be a whole number from 1 to 10000, got "abc"' }]);
});

test('the generated token is stored with mode 0600 and SLUICE_TOKEN overrides it', async () => {
  const dir = tempDir();
  const s = await startServer({ port: 0, dataDir: dir, env: {}, logLevel: 'silent', examplesDir: null });
  try {
    assert.equal(s.tokenGenerated, true);
    assert.ok(s.token.length >= 32);
    assert.equal(readFileSync(join(dir, 'token'), 'utf8').trim(), s.token);
    assert.equal(statSync(join(dir, 'token')).mode & 0o777, 0o600);
    assert.equal(s.openUrl, `${s.url}/?token=${s.token}`);
    assert.equal(s.host, '127.0.0.1');
    assert.equal((await call(s, 'GET', '/api/flows', { token: s.token })).status, 200);
  } finally { await s.close(); }
  const s2 = await startServer({ port: 0, dataDir: dir, env: { SLUICE_TOKEN: 'from-the-environment-123' }, logLevel: 'silent', examplesDir: null });
  try {
    assert.equal(s2.token, 'from-the-environment-123');
    assert.equal((await call(s2, 'GET', '/api/flows', { token: 'from-the-environment-123' })).status, 200);
  } finally { await s2.close(); cleanup(dir); }
});

test('bad settings stop the start with a clear message', async () => {
  assert.throws(() => resolveSettings({}, { SLUICE_PORT: 'eighty' }), (e: unknown) => e instanceof SettingsError && e.message === 'SLUICE_PORT must be an integer from 0 to 65535, got "eighty"');
  assert.throws(() => resolveSettings({}, { SLUICE_TOKEN: 'short' }), /SLUICE_TOKEN must be at least 16 characters long/);
  assert.throws(() => resolveSettings({}, { SLUICE_PROVENANCE_EVENTS: '-1' }), /SLUICE_PROVENANCE_EVENTS must be an integer from 0 \(off\) to 10000000, got "-1"/);
  assert.throws(() => resolveSettings({}, { SLUICE_MAX_BODY: 'huge' }), /SLUICE_MAX_BODY must be a data size/);
  assert.throws(() => resolveSettings({}, { SLUICE_HOST: 'not a host!' }), /SLUICE_HOST must be an IP address or host name/);
  assert.throws(() => resolveSettings({}, { SLUICE_LOG_LEVEL: 'loud' }), /SLUICE_LOG_LEVEL must be one of/);
  const s = resolveSettings({ port: 9000 }, { SLUICE_PORT: '7000', SLUICE_ALLOWED_PATHS: '/a:/b', SLUICE_PROVENANCE_EVENTS: '0' });
  assert.equal(s.port, 9000, 'options win over the environment');
  assert.deepEqual(s.allowedPaths, ['/a', '/b']);
  assert.equal(s.provenanceEvents, 0);
  await assert.rejects(startServer({ env: { SLUICE_PORT: '99999' }, logLevel: 'silent' }), /SLUICE_PORT must be an integer from 0 to 65535, got "99999"/);
});

test('SLUICE_ALLOWED_PATHS confines file-path properties, at save time and at run time', async () => {
  const dir = tempDir();
  const allowed = join(dir, 'allowed');
  mkdirSync(allowed);
  const s = await start({ dataDir: join(dir, 'data'), env: { SLUICE_ALLOWED_PATHS: allowed } });
  const flow = (directory: string, attrs: Record<string, string> = {}) => ({
    formatVersion: 1, name: 'files',
    processors: [
      { id: 'gen', type: 'GenerateFlowFile', properties: { 'Custom Text': 'x', ...attrs }, scheduling: { runSchedule: '50 ms', triggerLimit: 2 } },
      { id: 'put', type: 'PutFile', properties: { Directory: directory }, autoTerminate: ['success', 'failure'] },
    ],
    connections: [{ id: 'c', source: 'gen', relationships: ['success'], destination: 'put' }],
  });
  try {
    const outside = await call(s, 'POST', '/api/flows', { body: flow(join(dir, 'elsewhere')) });
    assert.equal(outside.status, 400);
    assert.equal(outside.json.details[0].path, 'processors[1].properties.Directory');
    assert.match(outside.json.details[0].message, /is outside the allowed paths \(SLUICE_ALLOWED_PATHS: /);
    const escape = await call(s, 'POST', '/api/flows', { body: flow(join(allowed, '..', 'elsewhere')) });
    assert.equal(escape.status, 400);

    const inside = await call(s, 'POST', '/api/flows', { body: flow(join(allowed, 'out')) });
    assert.equal(inside.status, 201, inside.text);
    await call(s, 'POST', `/api/flows/${inside.json.id}/start`);
    await until(() => existsSync(join(allowed, 'out')) && readdirSync(join(allowed, 'out')).length === 2, 5000, 'files written inside');

    // Expression Language is checked when evaluated: the FlowFile goes to failure with a bulletin.
    const el = await call(s, 'POST', '/api/flows', { body: { ...flow('${target}', { target: join(dir, 'escaped') }), id: 'el' } });
    assert.equal(el.status, 201, el.text);
    await call(s, 'POST', '/api/flows/el/start');
    await until(async () => (await call(s, 'GET', '/api/flows/el/status')).json.bulletins.length > 0, 5000, 'bulletin');
    const b = (await call(s, 'GET', '/api/flows/el/status')).json.bulletins[0];
    assert.match(b.message, /"Directory" .* is outside the allowed paths/);
    assert.equal(existsSync(join(dir, 'escaped')), false, 'nothing written outside');
  } finally {
    await s.close();
    cleanup(dir);
  }
});
