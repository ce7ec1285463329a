// --data-dir mode: file bytes live in the folder (mirroring HDFS paths, see DiskContentStore) and the
// metadata HDFS keeps beyond bytes (owner, group, permission, replication, block size, ids, times) is saved to
// <dir>/.webhdfs-meta.json shortly after each change and on close. At start the namespace is rebuilt from
// the folder, overlaid with the saved metadata.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DiskContentStore } from './content-store.ts';
import type { DirNode, FileNode, INode, Namespace } from './namespace.ts';

export const META_FILE = '.webhdfs-meta.json';

interface MetaEntry {
  id: number;
  owner: string;
  group: string;
  permission: number;
  modificationTime: number;
  accessTime: number;
  replication?: number;
  blockSize?: number;
}

interface MetaFile {
  lastId: number;
  root: MetaEntry;
  entries: Record<string, MetaEntry>;
}

function entryOf(node: INode): MetaEntry {
  const e: MetaEntry = {
    id: node.id,
    owner: node.owner,
    group: node.group,
    permission: node.permission,
    modificationTime: node.modificationTime,
    accessTime: node.accessTime,
  };
  if (node.kind === 'FILE') {
    e.replication = node.replication;
    e.blockSize = node.blockSize;
  }
  return e;
}

function snapshot(ns: Namespace): MetaFile {
  const entries: Record<string, MetaEntry> = {};
  const walk = (dir: DirNode, prefix: string) => {
    for (const [name, child] of dir.children) {
      const path = `${prefix}/${name}`;
      entries[path] = entryOf(child);
      if (child.kind === 'DIRECTORY') walk(child, path);
    }
  };
  walk(ns.root, '');
  return { lastId: ns.lastId, root: entryOf(ns.root), entries };
}

function load(ns: Namespace, store: DiskContentStore): void {
  const metaPath = join(store.root, META_FILE);
  const meta: MetaFile | null = existsSync(metaPath) ? (JSON.parse(readFileSync(metaPath, 'utf8')) as MetaFile) : null;
  if (meta) {
    ns.lastId = meta.lastId;
    Object.assign(ns.root, { ...meta.root, id: ns.root.id });
  }
  const now = Date.now();
  for (const item of store.scan((name) => name.startsWith(META_FILE))) {
    const slash = item.path.lastIndexOf('/');
    const parent = ns.lookup(item.path.slice(0, slash) || '/') as DirNode;
    const name = item.path.slice(slash + 1);
    const saved = meta?.entries[item.path];
    const base = {
      id: saved?.id ?? ns.allocateId(),
      name,
      parent,
      owner: saved?.owner ?? ns.opts.superuser,
      group: saved?.group ?? parent.group,
      permission: saved?.permission ?? (item.dir ? 0o755 : 0o644),
      modificationTime: saved?.modificationTime ?? item.mtime,
      accessTime: saved?.accessTime ?? (item.dir ? 0 : now),
    };
    if (saved) ns.lastId = Math.max(ns.lastId, saved.id);
    const node: INode = item.dir
      ? ({ ...base, kind: 'DIRECTORY', children: new Map() } satisfies DirNode)
      : ({
          ...base,
          kind: 'FILE',
          length: item.size,
          replication: saved?.replication ?? ns.opts.defaultReplication,
          blockSize: saved?.blockSize ?? ns.opts.defaultBlockSize,
          lease: null,
        } satisfies FileNode);
    parent.children.set(name, node);
  }
}

/** Rebuild `ns` from the folder and keep the metadata file up to date; returns a flush for shutdown. */
export function attachDiskPersistence(ns: Namespace, store: DiskContentStore): { flush(): void } {
  load(ns, store);
  const metaPath = join(store.root, META_FILE);
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const tmp = metaPath + '.tmp';
    writeFileSync(tmp, JSON.stringify(snapshot(ns)));
    renameSync(tmp, metaPath);
  };
  ns.onChange = () => {
    if (!timer) {
      timer = setTimeout(flush, 200);
      timer.unref();
    }
  };
  return { flush };
}
