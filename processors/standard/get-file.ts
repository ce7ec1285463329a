// GetFile: picks up files from a directory. The source file is deleted only after the FlowFile's
// acknowledgement, i.e. once every descendant reached a terminal outcome, so a crash loses nothing.
import { readdirSync, statSync, rmSync, type Stats } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { defineProcessor } from '../../server/sdk/definition.ts';
import { Validators } from '../../server/sdk/validators.ts';
import { FileClaim } from '../../server/engine/content/claim.ts';
import { compileJavaPattern } from './java-pattern.ts';

interface State {
  /** Files picked up and not yet acknowledged (or failed): never picked up twice. */
  claimed: Set<string>;
  fileFilter: RegExp;
  pathFilter: RegExp | null;
}

function formatPermissions(mode: number): string {
  const chars = 'rwxrwxrwx';
  let out = '';
  for (let i = 0; i < 9; i++) out += mode & (1 << (8 - i)) ? chars[i] : '-';
  return out;
}

function isoDate(d: Date): string {
  // NiFi formats file times as yyyy-MM-dd'T'HH:mm:ssZ
  const pad = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(Math.floor(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
}

export const GetFile = defineProcessor<State>({
  type: 'GetFile',
  description: 'Creates FlowFiles from files in a directory. Unless Keep Source File is true, a file is deleted once everything made from it has been delivered (its acknowledgement), so a crash never loses a file. Files are ignored if they are not readable.',
  tags: ['local', 'files', 'filesystem', 'ingest', 'ingress', 'get', 'source', 'input'],
  inputRequirement: 'forbidden',
  primaryNodeOnly: true,
  properties: [
    { name: 'Input Directory', description: 'The input directory from which to pull files', required: true, expressionLanguage: 'environment', validator: Validators.nonEmpty },
    { name: 'File Filter', description: 'Only files whose names match the given regular expression will be picked up', required: true, defaultValue: '[^\\.].*', validator: Validators.nonEmpty },
    { name: 'Path Filter', description: 'When Recurse Subdirectories is true, then only subdirectories whose path matches the given regular expression will be scanned' },
    { name: 'Batch Size', description: 'The maximum number of files to pull in each iteration', required: true, defaultValue: '10', validator: Validators.integer({ min: 1 }) },
    { name: 'Keep Source File', description: 'If true, the file is not deleted after it has been copied to the Content Repository; this causes the file to be picked up continually and is useful for testing purposes.', required: true, defaultValue: 'false', allowableValues: ['true', 'false'] },
    { name: 'Recurse Subdirectories', description: 'Indicates whether or not to pull files from subdirectories', required: true, defaultValue: 'true', allowableValues: ['true', 'false'] },
    { name: 'Polling Interval', description: 'Indicates how long to wait before performing a directory listing', required: true, defaultValue: '0 sec', validator: Validators.timePeriod },
    { name: 'Ignore Hidden Files', description: 'Indicates whether or not hidden files should be ignored', required: true, defaultValue: 'true', allowableValues: ['true', 'false'] },
    { name: 'Minimum File Age', description: 'The minimum age that a file must be in order to be pulled; any file younger than this amount of time (according to last modification date) will be ignored', required: true, defaultValue: '0 sec', validator: Validators.timePeriod },
    { name: 'Maximum File Age', description: 'The maximum age that a file must be in order to be pulled; any file older than this amount of time (according to last modification date) will be ignored', validator: Validators.timePeriod },
    { name: 'Minimum File Size', description: 'The minimum size that a file must be in order to be pulled', required: true, defaultValue: '0 B', validator: Validators.dataSize() },
    { name: 'Maximum File Size', description: 'The maximum size that a file can be in order to be pulled', validator: Validators.dataSize() },
  ],
  relationships: [{ name: 'success', description: 'All files are routed to success' }],
  writesAttributes: [
    { name: 'filename', description: 'The filename is set to the name of the file on disk' },
    { name: 'path', description: 'The path is set to the relative path of the file\'s directory on disk, ending with the separator (e.g. "./" or "sub/")' },
    { name: 'absolute.path', description: 'The absolute path of the file\'s directory on disk' },
    { name: 'file.creationTime', description: 'The date and time that the file was created' },
    { name: 'file.lastModifiedTime', description: 'The date and time that the file was last modified' },
    { name: 'file.lastAccessTime', description: 'The date and time that the file was last accessed' },
    { name: 'file.owner', description: 'The numeric owner id of the file' },
    { name: 'file.group', description: 'The numeric group id of the file' },
    { name: 'file.permissions', description: 'The read/write/execute permissions of the file' },
  ],
  customValidate(ctx) {
    const problems = [];
    for (const name of ['File Filter', 'Path Filter']) {
      const v = ctx.value(name);
      if (v === undefined) continue;
      try { compileJavaPattern(v); } catch (e) { problems.push({ property: name, message: `is not a valid regular expression: ${(e as Error).message}` }); }
    }
    return problems;
  },
  initialState: () => ({ claimed: new Set(), fileFilter: /.*/, pathFilter: null }),
  onScheduled(ctx) {
    ctx.state.fileFilter = compileJavaPattern(ctx.property('File Filter').value ?? '.*', true);
    const pf = ctx.property('Path Filter').value;
    ctx.state.pathFilter = pf ? compileJavaPattern(pf, true) : null;
  },
  onTrigger(ctx, session) {
    const dir = resolve(ctx.property('Input Directory').evaluate() ?? '.');
    const batch = ctx.property('Batch Size').asInteger() ?? 10;
    const keep = ctx.property('Keep Source File').asBoolean();
    const recurse = ctx.property('Recurse Subdirectories').asBoolean();
    const ignoreHidden = ctx.property('Ignore Hidden Files').asBoolean();
    const minAge = ctx.property('Minimum File Age').asTimePeriod() ?? 0;
    const maxAge = ctx.property('Maximum File Age').asTimePeriod();
    const minSize = ctx.property('Minimum File Size').asDataSize() ?? 0;
    const maxSize = ctx.property('Maximum File Size').asDataSize();
    const { claimed, fileFilter, pathFilter } = ctx.state;
    const now = Date.now();

    const picked: { path: string; stat: Stats }[] = [];
    const walk = (d: string) => {
      let entries;
      try { entries = readdirSync(d, { withFileTypes: true }); } catch (e) {
        ctx.bulletin('ERROR', `cannot list input directory ${d}: ${(e as Error).message}`);
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        if (picked.length >= batch) return;
        if (ignoreHidden && e.name.startsWith('.')) continue;
        const full = join(d, e.name);
        if (e.isDirectory()) {
          if (!recurse) continue;
          if (pathFilter && !pathFilter.test(relative(dir, full))) continue;
          walk(full);
          continue;
        }
        if (!e.isFile() || claimed.has(full) || !fileFilter.test(e.name)) continue;
        let stat: Stats;
        try { stat = statSync(full); } catch { continue; }
        const age = now - stat.mtimeMs;
        if (age < minAge || (maxAge !== undefined && age > maxAge)) continue;
        if (stat.size < minSize || (maxSize !== undefined && stat.size > maxSize)) continue;
        picked.push({ path: full, stat });
      }
    };
    walk(dir);
    ctx.setExhausted(picked.length === 0);
    if (picked.length === 0) { ctx.yield(); return; }

    for (const { path, stat } of picked) {
      claimed.add(path);
      // Without Keep Source File the file is ours until its ack, so it is read in place; otherwise it is copied.
      const inPlace = keep ? null : new FileClaim(path, 0, stat.size);
      const ack = inPlace === null ? null : ctx.createAck((outcome) => {
        if (outcome.ok) {
          inPlace.close();
          try { rmSync(path, { force: true }); } catch (e) { ctx.bulletin('ERROR', `could not delete ${path}: ${(e as Error).message}`); }
          claimed.delete(path);
        } else {
          // Left on disk (and not picked up again until restart), so nothing is lost.
          ctx.bulletin('WARNING', `${path} was not deleted because its data was dropped: ${outcome.reason}`);
        }
      }, path);
      const relDir = relative(dir, join(path, '..'));
      const ff = session.create({
        filename: path.slice(path.lastIndexOf(sep) + 1),
        path: relDir === '' ? './' : `${relDir}${sep}`,
        'absolute.path': `${join(path, '..')}${sep}`,
        'file.creationTime': isoDate(stat.birthtime),
        'file.lastModifiedTime': isoDate(stat.mtime),
        'file.lastAccessTime': isoDate(stat.atime),
        'file.owner': String(stat.uid),
        'file.group': String(stat.gid),
        'file.permissions': formatPermissions(stat.mode),
      }, {
        ack,
        content: inPlace ?? ctx.contentStore.createFromChunks([new FileClaim(path, 0, stat.size).read(0, stat.size)], stat.size),
      });
      session.transfer(ff, 'success');
      if (keep) session.onCommit(() => claimed.delete(path));
    }
    session.onRollback(() => { for (const p of picked) claimed.delete(p.path); });
  },
});
