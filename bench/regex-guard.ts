// Measures the per-match overhead of the hostile-regex guard (SafeRegex.exec)
// against plain RegExp.exec on short log lines, plus the hostile case.
// Run: node --import tsx bench/regex-guard.ts [lines]
import { compileSafeRegex } from '../server/regex/index.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const lines: string[] = [];
for (let i = 0; i < N; i++) {
  lines.push(
    `2024-05-0${i % 9 + 1} 12:${String(i % 60).padStart(2, '0')}:07,123 ${i % 7 === 0 ? 'ERROR' : 'INFO'} [worker-${i % 16}] ` +
      `o.a.n.processors.Thing Processed FlowFile id=${i} size=${(i * 37) % 100000} bytes in ${i % 1000} ms`,
  );
}

const cases: [string, string][] = [
  ['log-line', '^(\\S+) (\\S+) (\\w+) \\[([^\\]]+)\\] (\\S+) (.*)$'],
  ['find-id', 'id=(\\d+) size=(\\d+)'],
  ['ci-level', '(?i)error'],
];

function time(fn: () => number): [number, number] {
  const t = performance.now();
  const c = fn();
  return [(performance.now() - t) * 1e6 / N, c];
}

for (const [name, pattern] of cases) {
  const safe = compileSafeRegex(pattern);
  const t = safe.translated;
  const plain = new RegExp(t.source, 'u');
  for (let rep = 0; rep < 3; rep++) {
    const [ns1, c1] = time(() => {
      let c = 0;
      for (let i = 0; i < N; i++) {
        const m = plain.exec(lines[i]);
        if (m !== null) c += m.length;
      }
      return c;
    });
    const [ns2, c2] = time(() => {
      let c = 0;
      for (let i = 0; i < N; i++) {
        const r = safe.exec(lines[i]);
        if (r.kind === 'match') c += r.groups.length;
      }
      return c;
    });
    if (rep === 2) {
      console.log(
        `${name.padEnd(10)} plain ${ns1.toFixed(0).padStart(5)} ns/line  safe ${ns2.toFixed(0).padStart(5)} ns/line  ` +
          `overhead ${(ns2 - ns1).toFixed(0)} ns  (${safe.complexity.class}, inline ≤ ${safe.maxInlineLength} chars) ${c1 === c2 ? '' : 'MISMATCH'}`,
      );
    }
  }
}

const hostile = compileSafeRegex('(a+)+$');
await hostile.ready();
const input = 'a'.repeat(100_000) + '!';
let t = performance.now();
const r1 = hostile.exec(input);
console.log(`hostile sync : ${r1.kind} after ${(performance.now() - t).toFixed(1)} ms of event-loop blocking`);
t = performance.now();
let maxGap = 0;
let last = performance.now();
const iv = setInterval(() => {
  const n = performance.now();
  maxGap = Math.max(maxGap, n - last);
  last = n;
}, 1);
const r2 = await hostile.execAsync(input);
clearInterval(iv);
console.log(`hostile async: ${r2.kind} after ${(performance.now() - t).toFixed(1)} ms, max event-loop gap ${maxGap.toFixed(1)} ms`);
