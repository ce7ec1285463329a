// The PutHDFS write protocol over WebHDFS, independent of FlowFiles:
//   1. the target directory exists (MKDIRS when missing; remembered once seen)
//   2. the conflict with an existing file is resolved (replace / ignore / fail / append)
//   3. writeAndRename: CREATE ".<name>", then RENAME to "<name>" ({"boolean": false} is a failure)
//      simpleWrite:    CREATE "<name>" directly
//      append:         APPEND to the existing file
// Lease conflicts and DataNode failures are retried with back-off; a write that finally fails
// removes what it created, so no partial file is left under the final name.
import { WebHdfsError } from './errors.ts';
import type { WebHdfsClient } from './webhdfs-client.ts';
import { retryDelay, sleep, withRetries, type RetryPolicy } from './retry.ts';

export type ConflictResolution = 'replace' | 'ignore' | 'fail' | 'append';
export type WritingStrategy = 'writeAndRename' | 'simpleWrite';

export interface PutRequest {
  directory: string;
  filename: string;
  data: Buffer;
  conflict: ConflictResolution;
  strategy: WritingStrategy;
  /** File permission (666 minus the umask), when a umask is configured. */
  filePermission?: number;
  /** Permission for created directories (777 minus the umask). */
  dirPermission?: number;
  replication?: number;
  blockSize?: number;
  bufferSize?: number;
  owner?: string;
  group?: string;
}

export type PutResult =
  | { kind: 'written'; path: string; url: string; targetDirCreated: boolean; appended: boolean }
  /** The file exists and the strategy is "ignore". */
  | { kind: 'ignored'; path: string }
  /** The file exists and the strategy is "fail". */
  | { kind: 'exists'; path: string };

export interface WriterHooks {
  /** A retried failure (lease conflict, DataNode failure, rename refused). */
  onRetry?(message: string): void;
  /** Something that does not fail the write (e.g. an owner change that was refused). */
  onWarning?(message: string): void;
}

/** Remembers directories known to exist, so each is checked once rather than per file. */
export class DirectoryCache {
  private readonly known = new Set<string>();
  constructor(private readonly limit = 1024) {}
  has(dir: string): boolean { return this.known.has(dir); }
  add(dir: string): void {
    if (this.known.size >= this.limit) this.known.clear();
    this.known.add(dir);
  }
  clear(): void { this.known.clear(); }
}

/** Joins and normalizes an absolute HDFS path; rejects "." and ".." segments. */
export function hdfsPathOf(directory: string, name?: string): string {
  const parts = (name === undefined ? directory : `${directory}/${name}`).split('/').filter(Boolean);
  for (const p of parts) if (p === '.' || p === '..') throw new WebHdfsError(`the path ${JSON.stringify(directory)} must not contain "." or ".." segments`, 'namenode', 'PATH');
  return '/' + parts.join('/');
}

/** The file's URI for hadoop.file.url: the scheme and authority the DataNode reported (hdfs://namenode:8020), else webhdfs:// and the NameNode. */
export function fileUrl(client: WebHdfsClient, location: string | undefined, path: string): string {
  const m = location ? /^([a-z][a-z0-9+.-]*:\/\/[^/]+)/i.exec(location) : null;
  const base = m ? m[1] : `webhdfs://${new URL(client.namenodeUrl).host}`;
  return base + path.split('/').map(encodeURIComponent).join('/');
}

const lastLocation = new WeakMap<WebHdfsClient, string>();

async function ensureDirectory(client: WebHdfsClient, dir: string, req: PutRequest, dirs: DirectoryCache, hooks: WriterHooks): Promise<boolean> {
  if (dirs.has(dir)) return false;
  const status = await client.getFileStatus(dir);
  let created = false;
  if (status === null) {
    if (!(await client.mkdirs(dir, req.dirPermission))) throw new WebHdfsError(`${dir} could not be created`, 'namenode', 'MKDIRS');
    created = true;
    await changeOwner(client, dir, req, hooks);
  } else if (status.type !== 'DIRECTORY') {
    throw new WebHdfsError(`${dir} already exists and is not a directory`, 'namenode', 'GETFILESTATUS');
  }
  dirs.add(dir);
  return created;
}

async function changeOwner(client: WebHdfsClient, path: string, req: PutRequest, hooks: WriterHooks): Promise<void> {
  if (!req.owner && !req.group) return;
  try {
    await client.setOwner(path, req.owner || undefined, req.group || undefined);
  } catch (e) {
    hooks.onWarning?.(`could not change owner or group of ${path}: ${(e as Error).message}`);
  }
}

async function renameOrFail(client: WebHdfsClient, from: string, to: string, policy: RetryPolicy, hooks: WriterHooks): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (await client.rename(from, to)) return;
    if (attempt >= policy.maxRetries) {
      throw new WebHdfsError(`copied the data to ${from} but could not rename it to ${to}: RENAME answered {"boolean": false} ${attempt + 1} time(s)`, 'namenode', 'RENAME', 200);
    }
    hooks.onRetry?.(`RENAME ${from} → ${to} answered false; trying again`);
    await sleep(retryDelay(policy, attempt + 1));
  }
}

async function quietDelete(client: WebHdfsClient, path: string, hooks: WriterHooks): Promise<void> {
  try {
    await client.delete(path, false);
  } catch (e) {
    hooks.onWarning?.(`could not remove ${path} after a failed write: ${(e as Error).message}`);
  }
}

export async function putFile(client: WebHdfsClient, req: PutRequest, policy: RetryPolicy, dirs: DirectoryCache, hooks: WriterHooks = {}): Promise<PutResult> {
  const dir = hdfsPathOf(req.directory);
  const target = hdfsPathOf(dir, req.filename);
  const targetDirCreated = await ensureDirectory(client, dir, req, dirs, hooks);

  const existing = targetDirCreated ? null : await client.getFileStatus(target);
  if (existing?.type === 'DIRECTORY') throw new WebHdfsError(`${target} already exists as a directory`, 'namenode', 'GETFILESTATUS', 403, 'FileAlreadyExistsException');
  if (existing) {
    if (req.conflict === 'ignore') return { kind: 'ignored', path: target };
    if (req.conflict === 'fail') return { kind: 'exists', path: target };
  }
  const retry = (what: string) => (e: unknown, attempt: number) => hooks.onRetry?.(`${what} failed (attempt ${attempt} of ${policy.maxRetries + 1}): ${(e as Error).message}`);
  const createOpts = { overwrite: true, permission: req.filePermission, replication: req.replication, blockSize: req.blockSize, bufferSize: req.bufferSize };

  let location: string | undefined;
  if (existing && req.conflict === 'append') {
    await withRetries(policy, () => client.append(target, req.data, req.bufferSize), retry(`APPEND ${target}`));
    return { kind: 'written', path: target, url: fileUrl(client, lastLocation.get(client), target), targetDirCreated, appended: true };
  }
  if (req.strategy === 'writeAndRename') {
    const temp = hdfsPathOf(dir, `.${req.filename}`);
    try {
      location = await withRetries(policy, () => client.create(temp, req.data, createOpts), retry(`CREATE ${temp}`));
      if (existing) await client.delete(target, false); // replace
      await renameOrFail(client, temp, target, policy, hooks);
    } catch (e) {
      await quietDelete(client, temp, hooks);
      throw e;
    }
  } else {
    try {
      location = await withRetries(policy, () => client.create(target, req.data, createOpts), retry(`CREATE ${target}`));
    } catch (e) {
      await quietDelete(client, target, hooks); // an empty or partial file would otherwise stay visible
      throw e;
    }
  }
  if (location) lastLocation.set(client, location);
  await changeOwner(client, target, req, hooks);
  return { kind: 'written', path: target, url: fileUrl(client, location ?? lastLocation.get(client), target), targetDirCreated, appended: false };
}
