// Debian's Chromium driven by playwright-core (`npx playwright install` cannot work here), and the
// editor built for it: shared by the browser tests and the editor benchmark.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';

/** Why browser work cannot run here, or false when it can. */
export const noBrowser: string | false = existsSync(CHROMIUM) ? false : `Chromium is not installed at ${CHROMIUM}`;

/** Builds ui/dist (a no-op when it is up to date); throws with the build output when it fails. */
export function buildEditor(): void {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-ui.mjs'), '--quiet', '--strict'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`UI build failed:\n${build.stdout}\n${build.stderr}`);
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** The 300-processor, 300-connection flow the editor's performance is judged on (GenerateFlowFile, then UpdateAttributes in a chain). */
export function threeHundredProcessorFlow(id: string): Record<string, unknown> {
  const processors = [];
  const connections = [];
  const cols = 15;
  for (let i = 0; i < 300; i++) {
    const pid = i === 0 ? 'gen' : `u${i}`;
    processors.push(i === 0
      ? { id: pid, type: 'GenerateFlowFile', name: 'Generate', properties: { 'Custom Text': 'x' }, scheduling: { runSchedule: '1 sec' }, position: { x: 0, y: 0 } }
      : { id: pid, type: 'UpdateAttribute', name: `Update ${i}`, properties: { step: String(i) }, autoTerminate: i === 299 ? ['success'] : [], position: { x: (i % cols) * 300, y: Math.floor(i / cols) * 200 } });
    if (i > 0) connections.push({ id: `c${i}`, source: i === 1 ? 'gen' : `u${i - 1}`, relationships: ['success'], destination: pid });
  }
  connections.push({ id: 'c-extra', source: 'gen', relationships: ['success'], destination: 'u2' });
  return { formatVersion: 1, id, name: 'Three hundred', processors, connections };
}

/** A point on the canvas with no processor or connection under it (to drag the view from). */
export async function emptyPanePoint(page: Page): Promise<{ x: number; y: number }> {
  const point = await page.evaluate(() => {
    const r = document.querySelector('.react-flow__pane')!.getBoundingClientRect();
    for (let y = r.top + 30; y < r.bottom - 30; y += 7) {
      for (let x = r.left + 30; x < r.right - 200; x += 7) {
        if (document.elementFromPoint(x, y)?.classList.contains('react-flow__pane')) return { x, y };
      }
    }
    return null;
  });
  if (!point) throw new Error('no empty spot on the canvas');
  return point;
}
