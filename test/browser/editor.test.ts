// Browser tests of the editor (ui/): the real server in-process on an ephemeral port with a temp data
// dir, the UI built by scripts/build-ui.mjs, Debian's Chromium driven by playwright-core.
// Skipped (not failed) when /usr/bin/chromium is absent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../server/http/server.ts';
import { buildEditor, emptyPanePoint, launchChromium, noBrowser, ROOT, threeHundredProcessorFlow } from '../support/browser.ts';

const SHOTS = join(ROOT, 'test-output', 'screenshots');
const TOKEN = 'browser-test-token-0123456789';
const skip = noBrowser;
if (skip) console.log(`# skipping the browser tests: ${skip}`);

let server: RunningServer;
let browser: Browser;
let page: Page;
let work: string;
let outDir: string;
const consoleErrors: string[] = [];
let flowId = '';
let exportedPath = '';

async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}/api${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function shot(name: string): Promise<string> {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

function node(name: string): Locator {
  return page.locator('.react-flow__node').filter({ has: page.locator('.proc-name', { hasText: new RegExp(`^${name}$`) }) });
}

async function nodeId(name: string): Promise<string> {
  const id = await node(name).getAttribute('data-id');
  assert.ok(id, `no node named ${name}`);
  return id;
}

async function center(l: Locator): Promise<{ x: number; y: number }> {
  const b = await l.boundingBox();
  assert.ok(b, 'element has no box');
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

async function dragFromPalette(type: string, x: number, y: number): Promise<void> {
  await page.getByLabel('Search processor types').fill(type);
  const item = page.locator(`[data-testid="palette-item"][data-type="${type}"]`);
  await item.waitFor();
  await item.dragTo(page.locator('.react-flow__pane'), { targetPosition: { x, y } });
  await node(type).first().waitFor();
  await page.getByLabel('Search processor types').fill('');
}

async function connect(from: string, rel: string, to: string, objectThreshold?: number): Promise<void> {
  const a = await center(page.locator(`.react-flow__node[data-id="${await nodeId(from)}"] .react-flow__handle[data-handleid="${rel}"]`));
  const b = await center(page.locator(`.react-flow__node[data-id="${await nodeId(to)}"] .react-flow__handle[data-handleid="in"]`));
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y + 2, { steps: 8 });
  await page.mouse.up();
  const dialog = page.getByRole('dialog', { name: 'Create connection' });
  await dialog.waitFor();
  assert.equal(await dialog.getByRole('checkbox', { name: rel, exact: true }).isChecked(), true, 'the dragged relationship is preselected');
  if (objectThreshold !== undefined) await dialog.getByLabel('Back pressure object threshold').fill(String(objectThreshold));
  await dialog.getByRole('button', { name: 'Add' }).click();
  await dialog.waitFor({ state: 'detached' });
}

async function configure(name: string): Promise<Locator> {
  await node(name).locator('.proc-name').dblclick();
  const dialog = page.getByRole('dialog', { name: /^Configure/ });
  await dialog.waitFor();
  return dialog;
}

async function setProp(dialog: Locator, prop: string, value: string): Promise<void> {
  const field = dialog.locator(`[data-prop="${prop}"]`).locator('input, select, textarea').first();
  if (await field.evaluate((el) => el.tagName === 'SELECT')) await field.selectOption(value);
  else await field.fill(value);
}

async function addDynamic(dialog: Locator, name: string, value: string): Promise<void> {
  await dialog.getByLabel('New property name').fill(name);
  await dialog.getByLabel('New property value').fill(value);
  await dialog.getByRole('button', { name: 'Add property' }).click();
}

async function autoTerminate(dialog: Locator, rels: string[]): Promise<void> {
  await dialog.getByRole('tab', { name: /Relationships/ }).click();
  for (const r of rels) await dialog.getByRole('checkbox', { name: `Auto-terminate ${r}` }).check();
}

async function apply(dialog: Locator): Promise<void> {
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await dialog.waitFor({ state: 'detached' });
}

async function waitSaved(): Promise<void> {
  await page.waitForFunction(() => document.querySelector('[data-testid="save-state"]')?.textContent?.includes('All changes saved'), null, { timeout: 15_000 });
}

async function statNumber(name: string, stat: 'in' | 'out'): Promise<number> {
  const text = (await node(name).locator(`[data-testid="stat-${stat}"]`).textContent()) ?? '';
  return Number(text.split(' ')[0].replace(/,/g, ''));
}

async function waitFor(cond: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('editor in a browser', { skip }, () => {
  before(async () => {
    buildEditor();
    mkdirSync(SHOTS, { recursive: true });
    work = mkdtempSync(join(tmpdir(), 'sluice-browser-'));
    outDir = join(work, 'out');
    server = await startServer({ port: 0, host: '127.0.0.1', dataDir: join(work, 'data'), token: TOKEN, env: {}, examplesDir: null, logLevel: 'warn' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('without a token the editor explains how to get one', async () => {
    const p = await browser.newPage();
    await p.goto(server.url);
    await p.getByTestId('auth-error').waitFor();
    assert.match(await p.getByTestId('auth-error').textContent() ?? '', /No access token/);
    await p.close();
  });

  test('1. build GenerateFlowFile → SplitText → ExtractText → PutFile by drag and drop, configure, start', async () => {
    await page.goto(`${server.url}/?token=${TOKEN}`);
    await page.getByRole('button', { name: 'New flow' }).waitFor();
    assert.ok(!page.url().includes('token='), 'the token is stripped from the address bar');
    await page.getByRole('button', { name: 'New flow' }).click();
    const nameDialog = page.getByRole('dialog', { name: 'New flow' });
    await nameDialog.getByLabel('Flow name').fill('Browser pipeline');
    await nameDialog.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('canvas').waitFor();
    flowId = decodeURIComponent(new URL(page.url()).hash.replace('#/flow/', ''));
    assert.equal(flowId, 'browser-pipeline');

    // Palette: search and tag filter.
    await page.getByLabel('Search processor types').fill('split');
    assert.ok(await page.locator('[data-testid="palette-item"][data-type="SplitText"]').isVisible());
    await page.getByLabel('Search processor types').fill('');
    await page.getByRole('group', { name: 'Filter by tag' }).getByRole('button', { name: 'files', exact: true }).click();
    assert.equal(await page.locator('[data-testid="palette-item"][data-type="GenerateFlowFile"]').count(), 0, 'the tag filter hides GenerateFlowFile');
    await page.getByRole('button', { name: 'Clear tags' }).click();

    await dragFromPalette('GenerateFlowFile', 420, 70);
    await dragFromPalette('SplitText', 420, 260);
    await dragFromPalette('ExtractText', 420, 450);
    await dragFromPalette('PutFile', 420, 640);
    assert.equal(await page.locator('.react-flow__node').count(), 4);

    await connect('GenerateFlowFile', 'success', 'SplitText');
    await connect('SplitText', 'splits', 'ExtractText');
    await connect('ExtractText', 'matched', 'PutFile', 20);
    assert.equal(await page.locator('[data-testid="edge-label"]').count(), 3);

    // GenerateFlowFile with one invalid value first.
    let d = await configure('GenerateFlowFile');
    await setProp(d, 'Custom Text', 'hello sluice');
    await setProp(d, 'Batch Size', 'ten');
    await d.locator('[data-prop="Batch Size"] .field-problems').waitFor();
    await d.getByRole('tab', { name: /Scheduling/ }).click();
    await d.getByLabel('Run schedule').fill('1 sec');
    await apply(d);
    const badge = node('GenerateFlowFile').getByTestId('invalid-badge');
    await page.waitForFunction(() => {
      const b = [...document.querySelectorAll('.react-flow__node')].find((n) => n.querySelector('.proc-name')?.textContent === 'GenerateFlowFile')?.querySelector('[data-testid="invalid-badge"]');
      return b?.getAttribute('title')?.includes('Batch Size');
    });
    assert.match(await badge.getAttribute('title') ?? '', /Batch Size/);
    assert.equal(await node('GenerateFlowFile').locator('.proc').getAttribute('data-state'), 'invalid');
    await shot('01-invalid-badge');
    d = await configure('GenerateFlowFile');
    await setProp(d, 'Batch Size', '10');
    await d.locator('[data-prop="Batch Size"] .field-problems').waitFor({ state: 'detached' });
    await apply(d);

    d = await configure('SplitText');
    await setProp(d, 'Line Split Count', '1');
    await autoTerminate(d, ['original', 'failure']);
    await apply(d);

    d = await configure('ExtractText');
    await addDynamic(d, 'word', '(\\w+)');
    await autoTerminate(d, ['unmatched']);
    await apply(d);

    d = await configure('PutFile');
    await setProp(d, 'Directory', outDir);
    await setProp(d, 'Conflict Resolution Strategy', 'replace');
    await autoTerminate(d, ['success', 'failure']);
    await shot('02-configure-dialog');
    await apply(d);

    await waitSaved();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="invalid-badge"]').length === 0);
    const saved = await api<{ flow: { processors: { type: string; properties: Record<string, string> }[]; connections: unknown[] } }>('GET', `/flows/${flowId}`);
    assert.equal(saved.flow.processors.length, 4);
    assert.equal(saved.flow.connections.length, 3);
    assert.equal(saved.flow.processors.find((p) => p.type === 'GenerateFlowFile')?.properties['Batch Size'], '10');

    // Auto-layout (elkjs) arranges them; the new positions are saved like any edit.
    const before = await api<{ flow: { processors: { position: { x: number; y: number } }[] } }>('GET', `/flows/${flowId}`);
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await waitFor(async () => {
      const now = await api<{ flow: { processors: { position: { x: number; y: number } }[] } }>('GET', `/flows/${flowId}`);
      return JSON.stringify(now.flow.processors.map((p) => p.position)) !== JSON.stringify(before.flow.processors.map((p) => p.position));
    }, 'auto-layout positions to be saved');
    await waitSaved();

    await page.getByRole('button', { name: /Start flow/ }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="flow-run-state"]')?.textContent === 'RUNNING');
    await waitFor(async () => (await statNumber('PutFile', 'in')) > 0 && (await statNumber('GenerateFlowFile', 'out')) > 0, 'In/Out counters to rise');
    await waitFor(() => existsSync(outDir) && readdirSync(outDir).length > 0, 'files written by PutFile');
    const first = await statNumber('PutFile', 'in');
    await waitFor(async () => (await statNumber('PutFile', 'in')) > first, 'the PutFile In counter to keep rising');
    const file = readdirSync(outDir).find((f) => !f.startsWith('.'))!;
    assert.equal(readFileSync(join(outDir, file), 'utf8'), 'hello sluice');
    const path = await shot('03-running');
    // The README's screenshot.
    if (statSync(path).size < 300_000) copyFileSync(path, join(ROOT, 'docs', 'screenshot.png'));
  });

  test('2. stop the sink, a queue fills to back pressure, list it, open a FlowFile, empty it', async () => {
    await node('PutFile').locator('.proc-name').click({ button: 'right' });
    await page.getByRole('menu').getByRole('menuitem', { name: 'Stop' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('.react-flow__node')].some((n) => n.querySelector('.proc-name')?.textContent === 'PutFile' && n.querySelector('.proc')?.getAttribute('data-state') === 'stopped'));
    const putId = await nodeId('PutFile');
    const conn = (await api<{ flow: { connections: { id: string; destination: string }[] } }>('GET', `/flows/${flowId}`)).flow.connections.find((c) => c.destination === putId)!;
    const label = page.locator(`[data-testid="edge-label"][data-id="${conn.id}"]`);
    await waitFor(async () => (await label.getAttribute('data-level')) === 'full', 'the queue to reach back pressure', 30_000);
    assert.ok(Number(await label.getAttribute('data-percent')) >= 100);
    assert.match(await label.locator('.bp-bar').getAttribute('title') ?? '', /Back pressure 100%/);
    assert.equal(await label.locator('.bp-fill').evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(192, 57, 43)', 'the bar is red');
    await shot('04-back-pressure');

    await label.click();
    await page.getByRole('menuitem', { name: 'List queue' }).click();
    const q = page.getByRole('dialog', { name: /^Queue/ });
    await q.getByTestId('queue-table').waitFor();
    assert.match(await q.getByTestId('queue-summary').textContent() ?? '', /^20 queued/);
    assert.equal(await q.locator('tbody tr').count(), 20);
    await q.getByRole('button', { name: /^Open FlowFile/ }).first().click();
    await page.waitForFunction(() => document.querySelector('[data-testid="content-view"]')?.textContent === 'hello sluice');
    assert.ok(await q.getByRole('row', { name: /word/ }).first().isVisible(), 'attributes include the extracted "word"');
    await q.getByRole('button', { name: 'Hex' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="content-view"]')?.textContent?.includes('68 65 6c 6c 6f'));
    await shot('05-flowfile-content');
    const [download] = await Promise.all([page.waitForEvent('download'), q.getByRole('button', { name: 'Download' }).click()]);
    const saved = join(work, 'content.bin');
    await download.saveAs(saved);
    assert.equal(readFileSync(saved, 'utf8'), 'hello sluice');

    await q.getByRole('button', { name: 'Close', exact: true }).click();
    await q.waitFor({ state: 'detached' });

    // The bulletins panel and the status bar totals.
    await page.getByRole('button', { name: /^Bulletins \(/ }).click();
    await page.getByRole('region', { name: 'Bulletins' }).waitFor();
    await page.getByRole('button', { name: 'Close bulletins' }).click();
    assert.match(await page.getByTestId('status-running').textContent() ?? '', /Running 3/);
    assert.match(await page.getByTestId('status-stopped').textContent() ?? '', /Stopped 1/);

    // Stop everything (so nothing refills it), then empty the queue.
    await page.getByRole('button', { name: /Stop flow/ }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="flow-run-state"]')?.textContent === 'STOPPED');
    await label.click();
    await page.getByRole('menuitem', { name: 'List queue' }).click();
    await q.getByTestId('queue-table').waitFor();
    await q.getByRole('button', { name: 'Empty queue' }).click();
    const confirm = page.getByRole('dialog', { name: 'Empty queue?' });
    await confirm.getByRole('button', { name: 'Empty queue' }).click();
    await page.waitForFunction(() => /^0 queued/.test(document.querySelector('[data-testid="queue-summary"]')?.textContent ?? ''));
    await q.getByRole('button', { name: 'Close', exact: true }).click();
    await q.waitFor({ state: 'detached' });
    await waitFor(async () => (await label.getAttribute('data-level')) === 'ok', 'the emptied queue to show 0 %');
  });

  test('3. export, delete, import: the same definition', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
    exportedPath = join(work, 'exported.json');
    await download.saveAs(exportedPath);
    const exported = JSON.parse(readFileSync(exportedPath, 'utf8'));
    assert.equal(exported.name, 'Browser pipeline');
    assert.equal(exported.processors.length, 4);

    await page.getByRole('button', { name: 'Delete flow' }).click();
    await page.getByRole('dialog', { name: 'Delete flow?' }).getByRole('button', { name: 'Delete flow' }).click();
    await waitFor(async () => !(await api<{ flows: { id: string }[] }>('GET', '/flows')).flows.some((f) => f.id === flowId), 'the flow to be deleted');

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const d = page.getByRole('dialog', { name: 'Import flow' });
    await d.getByTestId('import-file').setInputFiles(exportedPath);
    await page.waitForFunction(() => ((document.querySelector('[data-testid="import-text"]') as HTMLTextAreaElement | null)?.value.length ?? 0) > 0);
    await d.getByRole('button', { name: 'Import', exact: true }).click();
    await d.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 4);
    const reimported = await (await fetch(`${server.url}/api/flows/${flowId}/export`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
    assert.deepEqual(reimported, exported);

    // A broken file: errors by JSON path. (In a second tab: the expected 400 is logged to that tab's console.)
    const p2 = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await p2.goto(`${server.url}/?token=${TOKEN}`);
    await p2.getByRole('button', { name: 'Import', exact: true }).click();
    const d2 = p2.getByRole('dialog', { name: 'Import flow' });
    await d2.getByTestId('import-text').fill(JSON.stringify({ formatVersion: 1, name: 'broken', processors: [{ id: 'a', type: 'NoSuchProcessor' }, { id: 'b', type: 'PutFile', properties: { 'Conflict Resolution Strategy': 'sometimes' } }] }));
    await d2.getByRole('button', { name: 'Import', exact: true }).click();
    await d2.getByTestId('import-errors').waitFor();
    const errors = await d2.getByTestId('import-errors').textContent() ?? '';
    assert.match(errors, /processors\[0\]\.type/);
    assert.match(errors, /processors\[1\]\.properties\["Conflict Resolution Strategy"\]/);
    await p2.screenshot({ path: join(SHOTS, '06-import-errors.png') });
    await p2.keyboard.press('Escape');
    await d2.waitFor({ state: 'detached' });
    await p2.close();
  });

  test('4. undo/redo an edit; copy/paste a processor, also into another flow', async () => {
    const original = readFileSync(exportedPath, 'utf8');
    await node('ExtractText').locator('.proc-name').click();
    await page.keyboard.press('Delete');
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 3);
    assert.equal(await page.locator('[data-testid="edge-label"]').count(), 1, 'its connections went with it');
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 4 && document.querySelectorAll('[data-testid="edge-label"]').length === 3);
    await page.keyboard.press('Control+Shift+z');
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 3);
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 4);
    await waitSaved();
    const now = await (await fetch(`${server.url}/api/flows/${flowId}/export`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
    assert.deepEqual(now, JSON.parse(original), 'after undo the saved flow is the original again');

    await node('PutFile').locator('.proc-name').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 5);
    assert.equal(await node('PutFile').count(), 2);
    await page.keyboard.press('Control+d');
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 6);
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 4);

    await page.getByRole('button', { name: 'New flow' }).click();
    const nd = page.getByRole('dialog', { name: 'New flow' });
    await nd.getByLabel('Flow name').fill('Paste target');
    await nd.getByRole('button', { name: 'Create' }).click();
    await page.waitForFunction(() => location.hash === '#/flow/paste-target');
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 0);
    await page.keyboard.press('Control+v');
    await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 1);
    const pasted = node('PutFile');
    assert.equal(await pasted.count(), 1);
    const d = await configure('PutFile');
    assert.equal(await d.locator('[data-prop="Directory"] input').inputValue(), outDir, 'the pasted processor keeps its properties');
    await page.keyboard.press('Escape');
    await d.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    assert.ok(await help.getByText('Ctrl+Shift+Z or Ctrl+Y').isVisible());
    // Focus stays inside the dialog.
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    assert.ok(await help.evaluate((el) => el.contains(document.activeElement)));
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });

    // Every button has an accessible name.
    const unnamed = await page.$$eval('button, [role="button"], [role="menuitem"]', (els) => els
      .filter((b) => !(b.getAttribute('aria-label') || b.getAttribute('title') || b.textContent?.trim()))
      .map((b) => b.outerHTML.slice(0, 120)));
    assert.deepEqual(unnamed, []);
  });

  // How fast (load time, pan/zoom frame rate) is `npm run bench -- editor`; this checks that it works.
  test('5. 300 processors and 300 connections: all drawn, and the canvas pans and zooms while the flow runs', async () => {
    await api('POST', '/flows', threeHundredProcessorFlow('perf'));
    await page.goto('about:blank');
    await page.goto(`${server.url}/#/flow/perf`);
    const everyPart = () => document.querySelectorAll('.react-flow__node').length === 300 && document.querySelectorAll('[data-testid="edge-label"]').length === 300;
    await page.waitForFunction(everyPart, null, { timeout: 30_000, polling: 'raf' });
    await api('POST', '/flows/perf/start');
    const start = await emptyPanePoint(page);
    const viewport = () => page.locator('.react-flow__viewport').getAttribute('style');
    const before = await viewport();
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(start.x + 100, start.y + 80, { steps: 10 });
    await page.mouse.up();
    const panned = await viewport();
    assert.notEqual(panned, before, 'dragging the pane moved the view');
    await page.mouse.wheel(0, -240);
    await waitFor(async () => (await viewport()) !== panned, 'the wheel to zoom');
    await shot('07-three-hundred');
    await api('POST', '/flows/perf/stop');
    assert.ok(await page.evaluate(everyPart), 'still every processor and connection after panning and zooming');
  });

  test('the Cluster panel says when the server is embedded', async () => {
    await page.getByRole('button', { name: 'Cluster', exact: true }).click();
    await page.getByRole('heading', { name: 'Cluster' }).waitFor();
    await page.getByText('Embedded mode').waitFor();
    await page.getByRole('button', { name: 'Close cluster panel' }).click();
  });

  test('6. no console errors in any of the above', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
