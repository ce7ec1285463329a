// The HDFS namespace: an inode tree with owners, permissions, times, lengths and write leases, implementing
// the FileSystem semantics WebHDFS exposes (old-style rename returning false, delete of "/" refused, parents
// created on CREATE, FileAlreadyExists on create without overwrite, leases blocking concurrent writers, ...).
// File bytes go to a ContentStore.
import type { ContentStore } from './content-store.ts';
import { hdfsErrors } from './errors.ts';
import { checkAccess, checkOwner, checkSticky, inGroup, UMASK, type Access, type Caller } from './permissions.ts';

interface BaseNode {
  id: number;
  name: string;
  parent: DirNode | null;
  owner: string;
  group: string;
  permission: number;
  modificationTime: number;
  accessTime: number;
}
export interface FileNode extends BaseNode {
  kind: 'FILE';
  length: number;
  replication: number;
  blockSize: number;
  /** client holding the write lease, null when closed */
  lease: string | null;
}
export interface DirNode extends BaseNode {
  kind: 'DIRECTORY';
  children: Map<string, INode>;
}
export type INode = FileNode | DirNode;

export interface FileStatus {
  accessTime: number;
  blockSize: number;
  childrenNum: number;
  fileId: number;
  group: string;
  length: number;
  modificationTime: number;
  owner: string;
  pathSuffix: string;
  permission: string;
  replication: number;
  storagePolicy: number;
  type: 'FILE' | 'DIRECTORY';
}

export interface NamespaceOptions {
  superuser: string;
  supergroup: string;
  defaultReplication: number;
  defaultBlockSize: number;
  /** permission of "/" (default 777 so any user.name can write at the top level) */
  rootPermission: number;
  /** address clients are reported from in messages */
  clientMachine: string;
  permissionsEnabled: boolean;
}

export interface CreateOptions {
  overwrite: boolean;
  permission?: number;
  replication?: number;
  blockSize?: number;
  createParent: boolean;
}

export const ROOT_INODE_ID = 16385;
export const MIN_BLOCK_SIZE = 1024 * 1024;
export const MAX_REPLICATION = 512;

export function splitPath(path: string): string[] {
  return path.split('/').filter(Boolean);
}

export class Namespace {
  readonly opts: NamespaceOptions;
  readonly store: ContentStore;
  root: DirNode;
  private nextId = ROOT_INODE_ID + 1;
  /** called after every mutation (the disk store uses it to persist metadata) */
  onChange: () => void = () => {};

  constructor(store: ContentStore, opts: NamespaceOptions) {
    this.store = store;
    this.opts = opts;
    this.root = this.newRoot();
  }

  private newRoot(): DirNode {
    return {
      kind: 'DIRECTORY',
      id: ROOT_INODE_ID,
      name: '',
      parent: null,
      owner: this.opts.superuser,
      group: this.opts.supergroup,
      permission: this.opts.rootPermission,
      modificationTime: Date.now(),
      accessTime: 0,
      children: new Map(),
    };
  }

  allocateId(): number {
    return this.nextId++;
  }
  get lastId(): number {
    return this.nextId - 1;
  }
  set lastId(id: number) {
    this.nextId = Math.max(this.nextId, id + 1);
  }

  caller(userName: string): Caller {
    return { user: userName, superuser: !this.opts.permissionsEnabled || userName === this.opts.superuser };
  }

  // ---- lookup ----

  pathOf(node: INode): string {
    const parts: string[] = [];
    for (let n: INode | null = node; n && n.parent; n = n.parent) parts.push(n.name);
    return '/' + parts.reverse().join('/');
  }

  /** Resolve a path, checking EXECUTE on every directory traversed; null when missing (or under a file). */
  lookup(path: string, caller?: Caller): INode | null {
    let node: INode = this.root;
    let walked = '';
    for (const part of splitPath(path)) {
      if (node.kind !== 'DIRECTORY') return null;
      if (caller) this.check(caller, node, walked || '/', 'EXECUTE');
      const next = node.children.get(part);
      if (!next) return null;
      walked += '/' + part;
      node = next;
    }
    return node;
  }

  private check(caller: Caller, node: INode, path: string, access: Access): void {
    checkAccess(caller, { ...node, isDir: node.kind === 'DIRECTORY' }, path, access, this.opts.supergroup);
  }

  private parentPath(path: string): string {
    const i = path.lastIndexOf('/');
    return i <= 0 ? '/' : path.slice(0, i);
  }

  private baseName(path: string): string {
    return path.slice(path.lastIndexOf('/') + 1);
  }

  status(node: INode, pathSuffix: string): FileStatus {
    const isFile = node.kind === 'FILE';
    return {
      accessTime: node.accessTime,
      blockSize: isFile ? node.blockSize : 0,
      childrenNum: isFile ? 0 : node.children.size,
      fileId: node.id,
      group: node.group,
      length: isFile ? node.length : 0,
      modificationTime: node.modificationTime,
      owner: node.owner,
      pathSuffix,
      permission: (node.permission & 0o7777).toString(8),
      replication: isFile ? node.replication : 0,
      storagePolicy: 0,
      type: node.kind,
    };
  }

  // ---- reads ----

  getFileStatus(path: string, caller: Caller): FileStatus {
    const node = this.lookup(path, caller);
    if (!node) throw hdfsErrors.fileNotFound(`File does not exist: ${path}`);
    return this.status(node, '');
  }

  listStatus(path: string, caller: Caller): FileStatus[] {
    const node = this.lookup(path, caller);
    if (!node) throw hdfsErrors.fileNotFound(`File ${path} does not exist.`);
    if (node.kind === 'FILE') return [this.status(node, '')];
    this.check(caller, node, path, 'READ_EXECUTE');
    const names = [...node.children.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return names.map((name) => this.status(node.children.get(name)!, name));
  }

  /** The file to OPEN (NameNode side checks: exists, is a file, readable). */
  fileForRead(path: string, caller: Caller): FileNode {
    const node = this.lookup(path, caller);
    if (!node) throw hdfsErrors.fileNotFound(`File does not exist: ${path}`);
    if (node.kind !== 'FILE') throw hdfsErrors.fileNotFound(`Path is not a file: ${path}`);
    this.check(caller, node, path, 'READ');
    return node;
  }

  read(path: string, offset: number, length: number | undefined, caller: Caller): Buffer {
    const file = this.fileForRead(path, caller);
    if (offset > file.length) throw hdfsErrors.eof('Cannot seek after EOF');
    const n = Math.min(length ?? file.length - offset, file.length - offset);
    return this.store.read(file.id, path, offset, n);
  }

  contentSummary(path: string, caller: Caller): Record<string, unknown> {
    const node = this.lookup(path, caller);
    if (!node) throw hdfsErrors.fileNotFound(`File does not exist: ${path}`);
    let files = 0;
    let dirs = 0;
    let length = 0;
    let consumed = 0;
    const walk = (n: INode) => {
      if (n.kind === 'FILE') {
        files++;
        length += n.length;
        consumed += n.length * n.replication;
      } else {
        dirs++;
        for (const c of n.children.values()) walk(c);
      }
    };
    walk(node);
    return { directoryCount: dirs, ecPolicy: '', fileCount: files, length, quota: -1, spaceConsumed: consumed, spaceQuota: -1, typeQuota: {} };
  }

  counts(): { files: number; directories: number; bytes: number } {
    let files = 0;
    let directories = 0;
    let bytes = 0;
    const walk = (n: INode) => {
      if (n.kind === 'FILE') {
        files++;
        bytes += n.length;
      } else {
        directories++;
        for (const c of n.children.values()) walk(c);
      }
    };
    walk(this.root);
    return { files, directories, bytes };
  }

  // ---- directory creation ----

  private newDir(parent: DirNode, name: string, owner: string, permission: number): DirNode {
    const now = Date.now();
    const dir: DirNode = {
      kind: 'DIRECTORY',
      id: this.allocateId(),
      name,
      parent,
      owner,
      group: parent.group,
      permission,
      modificationTime: now,
      accessTime: 0,
      children: new Map(),
    };
    parent.children.set(name, dir);
    parent.modificationTime = now;
    this.store.mkdir(this.pathOf(dir));
    return dir;
  }

  /** mkdir -p; the last component gets `permission`, created parents get it plus u+wx. */
  mkdirs(path: string, permission: number | undefined, caller: Caller): boolean {
    const perm = permission ?? 0o777 & ~UMASK;
    const parts = splitPath(path);
    let node: DirNode = this.root;
    let walked = '';
    for (let i = 0; i < parts.length; i++) {
      const next = node.children.get(parts[i]);
      const here = walked + '/' + parts[i];
      if (!next) {
        this.check(caller, node, walked || '/', 'WRITE_EXECUTE');
        for (let j = i; j < parts.length; j++) {
          const last = j === parts.length - 1;
          node = this.newDir(node, parts[j], caller.user, last ? perm : perm | 0o300);
        }
        this.onChange();
        return true;
      }
      if (next.kind !== 'DIRECTORY') {
        if (i === parts.length - 1) throw hdfsErrors.fileAlreadyExists(`Path is not a directory: ${here}`);
        throw hdfsErrors.parentNotDirectory(`${here} (is not a directory)`);
      }
      this.check(caller, node, walked || '/', 'EXECUTE');
      node = next;
      walked = here;
    }
    return true;
  }

  /** The parent directory for a new entry, created when `createParent`. */
  private parentFor(path: string, caller: Caller, createParent: boolean): DirNode {
    const parentPath = this.parentPath(path);
    const parent = this.lookup(parentPath, caller);
    if (parent && parent.kind === 'DIRECTORY') return parent;
    if (parent) throw hdfsErrors.parentNotDirectory(`${parentPath} (is not a directory)`);
    if (!createParent) throw hdfsErrors.fileNotFound(`Parent directory doesn't exist: ${parentPath}`);
    this.mkdirs(parentPath, undefined, caller);
    return this.lookup(parentPath) as DirNode;
  }

  // ---- writes (DataNode side) ----

  private leaseConflict(op: 'CREATE_FILE' | 'APPEND_FILE', path: string, client: string, holder: string) {
    const m = this.opts.clientMachine;
    return hdfsErrors.alreadyBeingCreated(
      `Failed to ${op} ${path} for ${client} on ${m} because this file lease is currently owned by ${holder} on ${m}`,
    );
  }

  /** Start a CREATE: the file exists (empty, under construction) from here on. */
  beginCreate(path: string, o: CreateOptions, caller: Caller, client: string): FileNode {
    if (path === '/') throw hdfsErrors.fileAlreadyExists(`/ already exists as a directory`);
    const blockSize = o.blockSize ?? this.opts.defaultBlockSize;
    if (blockSize < MIN_BLOCK_SIZE)
      throw hdfsErrors.io(
        `Specified block size is less than configured minimum value (dfs.namenode.fs-limits.min-block-size): ${blockSize} < ${MIN_BLOCK_SIZE}`,
      );
    const replication = o.replication ?? this.opts.defaultReplication;
    if (replication > MAX_REPLICATION)
      throw hdfsErrors.io(`Requested replication factor of ${replication} exceeds maximum of ${MAX_REPLICATION} for ${path} from ${this.opts.clientMachine}`);
    const existing = this.lookup(path, caller);
    if (existing?.kind === 'DIRECTORY') throw hdfsErrors.fileAlreadyExists(`${path} already exists as a directory`);
    if (existing?.kind === 'FILE') {
      if (existing.lease) throw this.leaseConflict('CREATE_FILE', path, client, existing.lease);
      if (!o.overwrite) throw hdfsErrors.fileAlreadyExists(`${path} for client ${this.opts.clientMachine} already exists`);
    }
    const parent = this.parentFor(path, caller, o.createParent);
    this.check(caller, parent, this.parentPath(path), 'WRITE');
    if (existing?.kind === 'FILE') {
      checkSticky(caller, { ...parent, isDir: true }, { ...existing, isDir: false }, path);
      this.store.removeFile(existing.id, path);
      parent.children.delete(existing.name);
    }
    const now = Date.now();
    const file: FileNode = {
      kind: 'FILE',
      id: this.allocateId(),
      name: this.baseName(path),
      parent,
      owner: caller.user,
      group: parent.group,
      permission: o.permission ?? 0o666 & ~UMASK,
      modificationTime: now,
      accessTime: now,
      length: 0,
      replication,
      blockSize,
      lease: client,
    };
    parent.children.set(file.name, file);
    parent.modificationTime = now;
    this.store.write(file.id, path, Buffer.alloc(0));
    this.onChange();
    return file;
  }

  /** Start an APPEND: takes the file's lease. */
  beginAppend(path: string, caller: Caller, client: string): FileNode {
    const node = this.lookup(path, caller);
    if (node?.kind === 'DIRECTORY') throw hdfsErrors.fileAlreadyExists(`Cannot append to directory ${path}; already exists as a directory.`);
    if (!node) throw hdfsErrors.fileNotFound(`Failed to append to non-existent file ${path} for client ${this.opts.clientMachine}`);
    this.check(caller, node, path, 'WRITE');
    if (node.lease) throw this.leaseConflict('APPEND_FILE', path, client, node.lease);
    node.lease = client;
    return node;
  }

  /** Is this inode still part of the tree (not deleted or replaced meanwhile)? */
  private attached(node: INode): boolean {
    for (let n: INode = node; n.parent; n = n.parent) if (n.parent.children.get(n.name) !== n) return false;
    return true;
  }

  /** Complete a write: the bytes become visible, the lease is released. */
  finishWrite(file: FileNode, data: Buffer, mode: 'create' | 'append'): void {
    file.lease = null;
    if (!this.attached(file)) return;
    const path = this.pathOf(file);
    if (mode === 'create') this.store.write(file.id, path, data);
    else if (data.length) this.store.append(file.id, path, data);
    file.length = mode === 'create' ? data.length : file.length + data.length;
    file.modificationTime = Date.now();
    this.onChange();
  }

  /** A write that broke off: the lease is released, content stays as it was before the body. */
  abortWrite(file: FileNode): void {
    file.lease = null;
  }

  truncate(path: string, newLength: number, caller: Caller): boolean {
    const node = this.lookup(path, caller);
    if (!node) throw hdfsErrors.fileNotFound(`File does not exist: ${path}`);
    if (node.kind !== 'FILE') throw hdfsErrors.fileNotFound(`Path is not a file: ${path}`);
    this.check(caller, node, path, 'WRITE');
    if (newLength > node.length)
      throw hdfsErrors.illegalArgument(`Cannot truncate to a larger file size. Current size: ${node.length}, truncate size: ${newLength}.`);
    const onBoundary = newLength === node.length || newLength % node.blockSize === 0;
    if (newLength < node.length) this.store.truncate(node.id, path, newLength);
    node.length = newLength;
    node.modificationTime = Date.now();
    this.onChange();
    return onBoundary;
  }

  // ---- namespace changes ----

  /** FileSystem.rename (old semantics): false instead of errors for the usual failures. */
  rename(src: string, dst: string, caller: Caller): boolean {
    if (src === '/') return false;
    const node = this.lookup(src, caller);
    if (!node || !node.parent) return false;
    if (dst === src) return true;
    let target = dst;
    const dstNode = this.lookup(dst, caller);
    if (dstNode?.kind === 'DIRECTORY') {
      target = (dst === '/' ? '' : dst) + '/' + node.name;
      if (target === src) return true;
      if (dstNode.children.has(node.name)) return false;
    } else if (dstNode) {
      return dst === src;
    }
    if (target === src) return true;
    if (target.startsWith(src + '/')) throw hdfsErrors.io(`Rename destination ${target} is a directory or file under source ${src}`);
    const newParent = this.lookup(this.parentPath(target), caller);
    if (!newParent || newParent.kind !== 'DIRECTORY') return false;
    const oldParent = node.parent;
    this.check(caller, oldParent, this.parentPath(src), 'WRITE');
    checkSticky(caller, { ...oldParent, isDir: true }, { ...node, isDir: node.kind === 'DIRECTORY' }, src);
    this.check(caller, newParent, this.parentPath(target), 'WRITE');
    const now = Date.now();
    oldParent.children.delete(node.name);
    node.name = this.baseName(target);
    node.parent = newParent;
    newParent.children.set(node.name, node);
    oldParent.modificationTime = newParent.modificationTime = now;
    this.store.rename(src, target);
    this.onChange();
    return true;
  }

  delete(path: string, recursive: boolean, caller: Caller): boolean {
    if (path === '/') return false;
    const node = this.lookup(path, caller);
    if (!node || !node.parent) return false;
    if (node.kind === 'DIRECTORY' && node.children.size > 0 && !recursive) throw hdfsErrors.pathIsNotEmptyDirectory(path);
    const parent = node.parent;
    this.check(caller, parent, this.parentPath(path), 'WRITE_EXECUTE');
    checkSticky(caller, { ...parent, isDir: true }, { ...node, isDir: node.kind === 'DIRECTORY' }, path);
    const removeContents = (n: INode, p: string) => {
      if (n.kind === 'FILE') this.store.removeFile(n.id, p);
      else for (const [name, c] of n.children) removeContents(c, `${p}/${name}`);
    };
    removeContents(node, path);
    if (node.kind === 'DIRECTORY') this.store.removeDir(path);
    parent.children.delete(node.name);
    parent.modificationTime = Date.now();
    this.onChange();
    return true;
  }

  // ---- attributes ----

  private existing(path: string, caller: Caller): INode {
    const node = this.lookup(path, caller);
    if (!node) throw hdfsErrors.fileNotFound(`File does not exist: ${path}`);
    return node;
  }

  setPermission(path: string, permission: number, caller: Caller): void {
    const node = this.existing(path, caller);
    checkOwner(caller, { ...node, isDir: node.kind === 'DIRECTORY' }, path);
    node.permission = permission;
    this.onChange();
  }

  setOwner(path: string, owner: string | undefined, group: string | undefined, caller: Caller): void {
    const node = this.existing(path, caller);
    checkOwner(caller, { ...node, isDir: node.kind === 'DIRECTORY' }, path);
    if (!caller.superuser) {
      if (owner !== undefined && owner !== node.owner)
        throw hdfsErrors.accessControl(`User ${caller.user} is not a super user (non-super user cannot change owner).`);
      if (group !== undefined && !inGroup(caller, group, this.opts.supergroup))
        throw hdfsErrors.accessControl(`User ${caller.user} does not belong to ${group}`);
    }
    if (owner !== undefined) node.owner = owner;
    if (group !== undefined) node.group = group;
    this.onChange();
  }

  setReplication(path: string, replication: number, caller: Caller): boolean {
    const node = this.lookup(path, caller);
    if (!node || node.kind !== 'FILE') return false;
    this.check(caller, node, path, 'WRITE');
    node.replication = replication;
    this.onChange();
    return true;
  }

  setTimes(path: string, mtime: number, atime: number, caller: Caller): void {
    const node = this.lookup(path, caller);
    if (!node) throw hdfsErrors.fileNotFound(`File/Directory ${path} does not exist.`);
    this.check(caller, node, path, 'WRITE');
    if (mtime !== -1) node.modificationTime = mtime;
    if (atime !== -1) node.accessTime = atime;
    this.onChange();
  }

  clear(): void {
    for (const name of [...this.root.children.keys()]) this.delete('/' + name, true, this.caller(this.opts.superuser));
    this.root = { ...this.newRoot(), modificationTime: Date.now() };
  }
}
