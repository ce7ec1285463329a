// PutFile: writes FlowFile content to a directory, through a hidden temp file and a rename,
// so a crash never leaves a partial file under the final name.
import { copyFileSync, existsSync, mkdirSync, renameSync, writeSync, openSync, closeSync, rmSync, readdirSync, chmodSync, chownSync, utimesSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineProcessor } from '../../server/sdk/definition.ts';
import { Validators } from '../../server/sdk/validators.ts';
import type { FlowFile } from '../../server/engine/flowfile.ts';

const CHUNK = 1024 * 1024;

function writeContent(path: string, ff: FlowFile): void {
  const whole = ff.size > CHUNK ? ff.claim.wholeFile(ff.offset, ff.size) : null;
  if (whole !== null) {
    copyFileSync(whole, path); // a whole file's bytes: let the kernel copy them
    return;
  }
  const fd = openSync(path, 'w');
  try {
    if (ff.size <= CHUNK) {
      const buf = ff.content();
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      return;
    }
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let pos = 0; pos < ff.size;) {
      const n = ff.claim.readInto(ff.offset + pos, buf, 0, Math.min(CHUNK, ff.size - pos));
      if (n === 0) throw new Error(`content of ${ff.id} ended early at byte ${pos} of ${ff.size}`);
      let off = 0;
      while (off < n) off += writeSync(fd, buf, off, n - off);
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
}

export const PutFile = defineProcessor({
  type: 'PutFile',
  description: 'Writes the contents of a FlowFile to the local file system, named by its filename attribute. Data is written to a hidden temporary file and renamed into place.',
  tags: ['put', 'local', 'copy', 'archive', 'files', 'filesystem'],
  inputRequirement: 'required',
  properties: [
    { name: 'Directory', description: 'The directory to which files should be written. You may use expression language such as /aa/bb/${path}', required: true, expressionLanguage: 'flowfile', validator: Validators.nonEmpty },
    { name: 'Conflict Resolution Strategy', description: 'Indicates what should happen when a file with the same name already exists in the output directory', required: true, defaultValue: 'fail', allowableValues: ['replace', 'ignore', 'fail'] },
    { name: 'Create Missing Directories', description: 'If true, then missing destination directories will be created. If false, flowfiles are penalized and sent to failure.', required: true, defaultValue: 'true', allowableValues: ['true', 'false'] },
    { name: 'Maximum File Count', description: 'Specifies the maximum number of files that can exist in the output directory', validator: Validators.integer({ min: 0 }) },
    { name: 'Last Modified Time', description: 'Sets the lastModifiedTime on the output file to the value of this attribute (epoch millis). Format must be numeric.', expressionLanguage: 'flowfile' },
    { name: 'Permissions', description: 'Sets the permissions on the output file to the value of this attribute. Format must be either UNIX rwxrwxrwx with a - in place of denied permissions (e.g. rw-r--r--) or an octal number (e.g. 644).', expressionLanguage: 'flowfile' },
    { name: 'Owner', description: 'Sets the owner (numeric uid) on the output file to the value of this attribute.', expressionLanguage: 'flowfile' },
    { name: 'Group', description: 'Sets the group (numeric gid) on the output file to the value of this attribute.', expressionLanguage: 'flowfile' },
  ],
  relationships: [
    { name: 'success', description: 'Files that have been successfully written to the output directory are transferred to this relationship' },
    { name: 'failure', description: 'Files that could not be written to the output directory for some reason are transferred to this relationship', terminalFailure: true },
  ],
  readsAttributes: [{ name: 'filename', description: 'The filename to use when writing the FlowFile to disk.' }],
  onTrigger(ctx, session) {
    const strategy = ctx.property('Conflict Resolution Strategy').value;
    const createDirs = ctx.property('Create Missing Directories').asBoolean();
    const maxFiles = ctx.property('Maximum File Count').asInteger();
    const deadline = Date.now() + 10;
    for (let n = 0; n < 1000 && (n === 0 || Date.now() < deadline); n++) {
      const ff = session.getOne();
      if (!ff) return;
      let dir: string;
      try {
        dir = resolve(ctx.property('Directory').evaluate(ff) ?? '.');
      } catch (e) {
        ctx.bulletin('ERROR', `cannot evaluate Directory for ${ff.id}: ${(e as Error).message}`);
        session.transfer(session.penalize(ff), 'failure');
        continue;
      }
      const name = ff.getAttribute('filename') ?? ff.id;
      if (name.includes('/') || name === '..' || name === '.') {
        ctx.bulletin('ERROR', `refusing to write ${ff.id}: filename ${JSON.stringify(name)} is not a plain file name`);
        session.transfer(session.penalize(ff), 'failure');
        continue;
      }
      const target = join(dir, name);
      try {
        if (!existsSync(dir)) {
          if (!createDirs) throw new Error(`directory ${dir} does not exist`);
          mkdirSync(dir, { recursive: true });
        }
        if (maxFiles !== undefined && readdirSync(dir).length >= maxFiles) {
          ctx.bulletin('WARNING', `${dir} already holds the maximum of ${maxFiles} files; ${name} penalized`);
          session.transfer(session.penalize(ff), 'failure');
          continue;
        }
        if (existsSync(target)) {
          if (strategy === 'ignore') { session.transfer(ff, 'success'); continue; }
          if (strategy === 'fail') {
            ctx.bulletin('WARNING', `${target} already exists; routing ${ff.id} to failure`);
            session.transfer(session.penalize(ff), 'failure');
            continue;
          }
        }
        const temp = join(dir, `.${name}`);
        try {
          writeContent(temp, ff);
          const perms = ctx.property('Permissions').evaluate(ff);
          if (perms) chmodSync(temp, parsePermissions(perms));
          const owner = ctx.property('Owner').evaluate(ff);
          const group = ctx.property('Group').evaluate(ff);
          if (owner || group) chownSync(temp, owner ? Number(owner) : -1, group ? Number(group) : -1);
          const mtime = ctx.property('Last Modified Time').evaluate(ff);
          if (mtime) utimesSync(temp, new Date(), new Date(Number(mtime)));
          renameSync(temp, target);
        } catch (e) {
          rmSync(temp, { force: true });
          throw e;
        }
        session.transfer(ff, 'success');
      } catch (e) {
        ctx.bulletin('ERROR', `could not write ${target}: ${(e as Error).message}`);
        session.transfer(session.penalize(ff), 'failure');
      }
    }
  },
});

function parsePermissions(v: string): number {
  if (/^[0-7]{3,4}$/.test(v)) return parseInt(v, 8);
  if (/^[rwx-]{9}$/.test(v)) {
    let mode = 0;
    for (let i = 0; i < 9; i++) if (v[i] !== '-') mode |= 1 << (8 - i);
    return mode;
  }
  throw new Error(`permissions must be rwxrwxrwx or octal, got ${JSON.stringify(v)}`);
}
