// A WebHDFS test server: a NameNode and a DataNode on two ports, sharing one namespace.
//
//   const hdfs = await startWebHdfsTestServer({ port: 0, datanodePort: 0 });
//   await fetch(`${hdfs.url}/webhdfs/v1/tmp/x?op=CREATE&user.name=sluice`, { method: 'PUT', redirect: 'manual' });
//   hdfs.faults.appendLeaseError(2, 'RecoveryInProgressException');
//   await hdfs.close();
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DiskContentStore, MemoryContentStore } from './content-store.ts';
import type { WebHdfsContext } from './context.ts';
import { handleDatanode } from './datanode.ts';
import { WebHdfsFaults } from './faults.ts';
import { handleNamenode } from './namenode.ts';
import { Namespace } from './namespace.ts';
import { attachDiskPersistence } from './persistence.ts';
import { WebHdfsStats } from './stats.ts';

export interface WebHdfsTestServerOptions {
  /** NameNode HTTP port (0 = any) */
  port?: number;
  /** DataNode HTTP port (0 = any) */
  datanodePort?: number;
  /** bind address of both servers (default 127.0.0.1) */
  host?: string;
  /** host name put in redirects to the DataNode (default 127.0.0.1) */
  datanodeHost?: string;
  /** keep files in this folder (mirroring HDFS paths) instead of memory */
  dataDir?: string;
  /** HDFS superuser name (default "hdfs"); bypasses permission checks */
  superuser?: string;
  /** set false to turn permission checking off (dfs.permissions.enabled=false) */
  permissions?: boolean;
  /** default replication of new files (default 3, dfs.replication) */
  replication?: number;
  /** default block size (default 128 MiB, dfs.blocksize) */
  blockSize?: number;
  /** permission of "/" (default 0o777) */
  rootPermission?: number;
}

export interface WebHdfsTestServer {
  /** NameNode base URL, e.g. http://127.0.0.1:19870 (WebHDFS lives under /webhdfs/v1) */
  url: string;
  port: number;
  datanodePort: number;
  datanodeUrl: string;
  faults: WebHdfsFaults;
  namespace: Namespace;
  stats: WebHdfsStats;
  /** empty namespace, no faults, zero counters */
  reset(): void;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

const urlHost = (h: string) => (h.includes(':') ? `[${h}]` : h === '0.0.0.0' ? '127.0.0.1' : h);

export async function startWebHdfsTestServer(opts: WebHdfsTestServerOptions = {}): Promise<WebHdfsTestServer> {
  const host = opts.host ?? '127.0.0.1';
  const store = opts.dataDir ? new DiskContentStore(opts.dataDir) : new MemoryContentStore();
  const ns = new Namespace(store, {
    superuser: opts.superuser ?? 'hdfs',
    supergroup: 'supergroup',
    defaultReplication: opts.replication ?? 3,
    defaultBlockSize: opts.blockSize ?? 134217728,
    rootPermission: opts.rootPermission ?? 0o777,
    clientMachine: '127.0.0.1',
    permissionsEnabled: opts.permissions ?? true,
  });
  const persistence = store instanceof DiskContentStore ? attachDiskPersistence(ns, store) : null;

  const ctx: WebHdfsContext = {
    ns,
    faults: new WebHdfsFaults(),
    stats: new WebHdfsStats(),
    datanodeBase: '',
    namenodeAddress: '',
    nextClientId: 1,
  };
  const wrap = (fn: (req: IncomingMessage, res: ServerResponse, ctx: WebHdfsContext) => Promise<void>) =>
    (req: IncomingMessage, res: ServerResponse) => {
      fn(req, res, ctx).catch((e) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(String(e));
        } else res.destroy();
      });
    };
  const namenode = createServer({ keepAliveTimeout: 30_000 }, wrap(handleNamenode));
  const datanode = createServer({ keepAliveTimeout: 30_000 }, wrap(handleDatanode));
  const port = await listen(namenode, opts.port ?? 0, host);
  let datanodePort: number;
  try {
    datanodePort = await listen(datanode, opts.datanodePort ?? 0, host);
  } catch (e) {
    await stop(namenode);
    throw e;
  }
  const dnHost = opts.datanodeHost ?? '127.0.0.1';
  ctx.datanodeBase = `http://${urlHost(dnHost)}:${datanodePort}`;
  ctx.namenodeAddress = `${urlHost(host)}:${port}`;

  return {
    url: `http://${urlHost(host)}:${port}`,
    port,
    datanodePort,
    datanodeUrl: ctx.datanodeBase,
    faults: ctx.faults,
    namespace: ns,
    stats: ctx.stats,
    reset() {
      ns.clear();
      ctx.faults.reset();
      ctx.faults.resetCounters();
      ctx.stats.reset();
    },
    async close() {
      await Promise.all([stop(namenode), stop(datanode)]);
      persistence?.flush();
    },
  };
}
