// Deterministic synthetic Apache combined access log (no downloads): node generate-log.ts <file> <lines>
import { createWriteStream } from 'node:fs';

let seed = 0x2545f491;
function rand(n: number): number {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed % n;
}
const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'HEAD'];
const PATHS = ['/', '/index.html', '/api/v1/orders', '/api/v1/users/42', '/static/app.js', '/static/style.css', '/images/logo.png', '/search?q=sluice', '/login', '/checkout/cart'];
const STATUS = [200, 200, 200, 200, 200, 304, 301, 404, 500, 201];
const AGENTS = ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36', 'curl/8.5.0', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) Safari/605.1.15'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

export function logLine(i: number): string {
  const ip = `${10 + rand(200)}.${rand(256)}.${rand(256)}.${rand(256)}`;
  const t = 1_700_000_000 + i;
  const d = new Date(t * 1000);
  const ts = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
  const status = STATUS[rand(STATUS.length)];
  const bytes = status === 304 ? '-' : String(100 + rand(50_000));
  return `${ip} - - [${ts}] "${METHODS[rand(METHODS.length)]} ${PATHS[rand(PATHS.length)]} HTTP/1.1" ${status} ${bytes} "-" "${AGENTS[rand(AGENTS.length)]}"\n`;
}

export async function generateLog(file: string, lines: number): Promise<number> {
  seed = 0x2545f491;
  const out = createWriteStream(file);
  let bytes = 0;
  let chunk = '';
  for (let i = 0; i < lines; i++) {
    chunk += logLine(i);
    if (chunk.length > 1 << 20) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  out.write(chunk);
  await new Promise<void>((resolve, reject) => out.end((e?: Error) => (e ? reject(e) : resolve())));
  return bytes;
}

if (process.argv[1]?.endsWith('generate-log.ts') && process.argv[2]) {
  const n = await generateLog(process.argv[2], Number(process.argv[3] ?? 1_000_000));
  console.log(`wrote ${n} bytes`);
}
