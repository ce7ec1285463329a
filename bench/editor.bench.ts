// Benchmark: the editor with 300 processors and 300 connections (targets: loads in < 2 s, pans and
// zooms at > 30 fps), in Debian's Chromium against the real server. The baseline, measured in the
// same run, is the same page loading an empty flow. Skipped when Chromium is not installed.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startServer } from '../server/http/server.ts';
import { buildEditor, emptyPanePoint, launchChromium, noBrowser, threeHundredProcessorFlow } from '../test/support/browser.ts';

if (noBrowser) {
  console.log(`skipped: ${noBrowser}`);
  process.exit(0);
}

const TOKEN = 'editor-bench-token-0123456789';
buildEditor();
const work = mkdtempSync(join(tmpdir(), 'sluice-editor-bench-'));
const server = await startServer({ port: 0, host: '127.0.0.1', dataDir: join(work, 'data'), token: TOKEN, env: {}, examplesDir: null, logLevel: 'warn' });
const browser = await launchChromium();

async function api(method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${server.url}/api${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

/** Best of three cold loads of a flow, until `nodes` processors and `nodes` connection labels are on the page. */
async function loadMs(page: Page, flowId: string, nodes: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    await page.goto('about:blank');
    const t0 = performance.now();
    await page.goto(`${server.url}/#/flow/${flowId}`);
    await page.waitForFunction((n) => document.querySelectorAll('.react-flow__node').length === n && document.querySelectorAll('[data-testid="edge-label"]').length === n, nodes, { timeout: 30_000, polling: 'raf' });
    times.push(performance.now() - t0);
  }
  return Math.min(...times);
}

/** Frames per second while dragging the pane and zooming (the flow runs, so status keeps arriving). */
async function panZoomFps(page: Page): Promise<{ fps: number; p95: number }> {
  const start = await emptyPanePoint(page);
  // (Strings: the page lacks the helpers tsx adds to functions.)
  await page.evaluate(`(() => {
    window.__frames = [performance.now()];
    window.__stop = false;
    const loop = (t) => { if (window.__stop) return; window.__frames.push(t); requestAnimationFrame(loop); };
    requestAnimationFrame(loop);
  })()`);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  for (let i = 1; i <= 60; i++) {
    await page.mouse.move(start.x + Math.sin(i / 10) * 150, start.y + i * 2);
    await page.waitForTimeout(12);
  }
  await page.mouse.up();
  for (let i = 0; i < 12; i++) {
    await page.mouse.wheel(0, i < 6 ? 120 : -120);
    await page.waitForTimeout(40);
  }
  const frames = await page.evaluate('(() => { window.__stop = true; window.__frames.push(performance.now()); return window.__frames; })()') as number[];
  const gaps = frames.slice(1).map((t, i) => t - frames[i]).sort((a, b) => a - b);
  const span = frames[frames.length - 1] - frames[0];
  return { fps: (frames.length - 2) / (span / 1000), p95: gaps[Math.floor(gaps.length * 0.95)] ?? 0 };
}

try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${server.url}/?token=${TOKEN}`);
  await page.getByRole('button', { name: 'New flow' }).waitFor();
  await api('POST', '/flows', { formatVersion: 1, id: 'empty', name: 'Empty', processors: [], connections: [] });
  await api('POST', '/flows', threeHundredProcessorFlow('perf'));

  const empty = await loadMs(page, 'empty', 0);
  const big = await loadMs(page, 'perf', 300);
  await api('POST', '/flows/perf/start');
  await page.waitForTimeout(300);
  const panZoom = await panZoomFps(page);
  await api('POST', '/flows/perf/stop');

  console.log(`machine load ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`);
  console.log(`load, empty flow (baseline)       : ${empty.toFixed(0)} ms`);
  console.log(`load, 300 processors + 300 links  : ${big.toFixed(0)} ms  (${(big / empty).toFixed(1)}x baseline; target < 2000 ms: ${big < 2000 ? 'met' : 'NOT met'})`);
  console.log(`pan + zoom at overview            : ${panZoom.fps.toFixed(1)} fps, p95 frame ${panZoom.p95.toFixed(1)} ms  (target > 30 fps: ${panZoom.fps > 30 ? 'met' : 'NOT met'})`);
} finally {
  await browser.close();
  await server.close();
  rmSync(work, { recursive: true, force: true });
}
