#!/usr/bin/env node
// Builds the editor (ui/ → ui/dist) when ui/dist/index.html is missing or older than any source file
// (ui/src/**, ui/index.html, ui/vite.config.ts). `--force` always builds (`npm run build:ui`); before
// `npm start` (prestart) it builds only when needed and never stops the server from starting.
// `--strict` makes a failed build an error (the browser tests use it).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const uiDir = join(root, 'ui');
const built = join(uiDir, 'dist', 'index.html');

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

export function uiIsStale() {
  if (!existsSync(built)) return 'ui/dist/index.html is missing';
  const builtAt = statSync(built).mtimeMs;
  const sources = [join(uiDir, 'src'), join(uiDir, 'index.html'), join(uiDir, 'vite.config.ts')].filter((p) => existsSync(p));
  const newest = Math.max(...sources.map(newestMtime));
  return newest > builtAt ? 'ui sources changed since the last build' : null;
}

export async function buildUi({ force = false, quiet = false } = {}) {
  const why = force ? 'forced' : uiIsStale();
  if (!why) {
    if (!quiet) console.log('ui/dist is up to date');
    return false;
  }
  if (!quiet) console.log(`building the editor (${why})…`);
  const { build } = await import('vite');
  await build({ root: uiDir, configFile: join(uiDir, 'vite.config.ts'), logLevel: quiet ? 'warn' : 'info' });
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force');
  const strict = force || process.argv.includes('--strict');
  buildUi({ force, quiet: process.argv.includes('--quiet') }).catch((e) => {
    console.error(`the editor could not be built: ${e?.message ?? e}`);
    // Before `npm start` a failed build (say, an install without dev dependencies) must not keep the
    // server from starting: it serves the previous build, or a placeholder page without one.
    if (strict) process.exit(1);
    console.error(existsSync(built) ? 'serving the previous build of ui/dist' : 'the server will serve a placeholder page instead of the editor');
  });
}
