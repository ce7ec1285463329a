// Node-RED doing W1 the way a Node-RED user would draw it: file-in (a msg per line) → function →
// join (10,000) → file-out. Installed on demand into bench/.cache/node-red, never a project dependency.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, statSync, openSync, readSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const cache = new URL('../.cache/node-red/', import.meta.url).pathname;

export function ensureNodeRed(): string {
  const red = join(cache, 'node_modules/node-red/red.js');
  if (!existsSync(red)) {
    mkdirSync(cache, { recursive: true });
    console.log('installing node-red into bench/.cache/node-red (once)…');
    execFileSync('npm', ['install', '--prefix', cache, 'node-red@4', '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
  }
  return red;
}

function countNewlines(file: string, from: number, state: { count: number }): number {
  if (!existsSync(file)) return from;
  const size = statSync(file).size;
  if (size <= from) return from;
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let pos = from;
  while (pos < size) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
    for (let i = 0; i < n; i++) if (buf[i] === 10) state.count++;
    pos += n;
  }
  closeSync(fd);
  return pos;
}

export async function runNodeRed(input: string, output: string, lines: number, workDir: string, timeoutMs: number): Promise<{ ms: number; maxRssKb: number; lines: number; timedOut: boolean }> {
  const red = ensureNodeRed();
  mkdirSync(workDir, { recursive: true });
  const func = [
    'const m = /^(\\S+) \\S+ \\S+ \\[([^\\]]+)\\] "(\\S+) (\\S+)[^"]*" (\\d{3}) (\\d+|-)/.exec(msg.payload);',
    'if (!m) return null;',
    "msg.payload = JSON.stringify({ 'access.ip': m[1], 'access.timestamp': m[2], 'access.method': m[3], 'access.path': m[4], 'access.status': m[5], 'access.bytes': m[6] });",
    'return msg;',
  ].join('\n');
  const flows = [
    { id: 'w1.tab', type: 'tab', label: 'W1' },
    { id: 'w1.inject', type: 'inject', z: 'w1.tab', once: true, onceDelay: 0.1, repeat: '', topic: '', payload: '', payloadType: 'date', wires: [['w1.read']] },
    { id: 'w1.read', type: 'file in', z: 'w1.tab', filename: input, filenameType: 'str', format: 'lines', chunk: false, sendError: false, encoding: 'none', allProps: false, wires: [['w1.extract']] },
    { id: 'w1.extract', type: 'function', z: 'w1.tab', func, outputs: 1, wires: [['w1.join']] },
    { id: 'w1.join', type: 'join', z: 'w1.tab', mode: 'custom', build: 'string', property: 'payload', propertyType: 'msg', key: 'topic', joiner: '\\n', joinerType: 'str', accumulate: false, timeout: '', count: '10000', wires: [['w1.write']] },
    { id: 'w1.write', type: 'file', z: 'w1.tab', filename: output, filenameType: 'str', appendNewline: true, createDir: true, overwriteFile: 'false', encoding: 'none', wires: [[]] },
  ];
  writeFileSync(join(workDir, 'flows.json'), JSON.stringify(flows));
  writeFileSync(join(workDir, 'settings.js'), `module.exports = { uiPort: 0, httpAdminRoot: false, httpNodeRoot: false, flowFile: 'flows.json', logging: { console: { level: 'info' } }, editorTheme: { tours: false } };\n`);
  const spawned = performance.now();
  const child = spawn(process.execPath, [red, '--userDir', workDir, '--settings', join(workDir, 'settings.js'), join(workDir, 'flows.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Timed from "Started flows" (start-up excluded, as for the other two); the inject fires 0.1 s later.
  let t0 = Number.NaN;
  let logged = '';
  child.stdout!.on('data', (d: Buffer) => {
    if (!Number.isNaN(t0)) return;
    logged = (logged + d.toString()).slice(-4096);
    if (logged.includes('Started flows')) t0 = performance.now();
  });
  const state = { count: 0 };
  let pos = 0;
  let peakKb = 0;
  let timedOut = false;
  while (state.count < lines) {
    await new Promise((r) => setTimeout(r, 200));
    pos = countNewlines(output, pos, state);
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch { /* exited */ }
    if (performance.now() - spawned > timeoutMs) { timedOut = true; break; }
  }
  const ms = performance.now() - (Number.isNaN(t0) ? spawned : t0);
  child.kill('SIGKILL');
  return { ms, maxRssKb: peakKb, lines: state.count, timedOut };
}
