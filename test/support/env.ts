// Choose, for a test, between a real service and the in-repo test server:
//   ES_URL=http://localhost:9200          → use that Elasticsearch; fault injection unavailable
//   WEBHDFS_URL=http://namenode:9870      → use that WebHDFS NameNode; fault injection unavailable
// Otherwise a test server is started (in-process by default, or as a child process with {process: true}).
// Tests that need faults should skip when `faultsAvailable` is false:
//   const es = await elasticsearchForTests();
//   if (!es.faultsAvailable) return t.skip('needs the test server');
import type { EsFaultPatch } from './elasticsearch/faults.ts';
import { spawnElasticsearchTestServer } from './elasticsearch/process.ts';
import { startElasticsearchTestServer } from './elasticsearch/server.ts';
import type { WebHdfsFaultPatch } from './webhdfs/faults.ts';
import { spawnWebHdfsTestServer } from './webhdfs/process.ts';
import { startWebHdfsTestServer } from './webhdfs/server.ts';

/** Talks to a test server's /_test endpoints over HTTP (works for in-process and child-process servers). */
export interface FaultControl<Patch> {
  /** apply a fault patch (POST /_test/faults) and return the resulting settings */
  set(patch: Patch): Promise<unknown>;
  /** clear every fault (DELETE /_test/faults) */
  reset(): Promise<void>;
  /** GET /_test/stats */
  stats(): Promise<Record<string, any>>;
  /** drop all data, faults and counters (POST /_test/reset) */
  resetAll(): Promise<void>;
}

export interface ServiceForTests<Patch> {
  /** base URL: ES root, or the WebHDFS NameNode (paths under /webhdfs/v1) */
  url: string;
  /** true when the URL came from the environment (a real service) */
  real: boolean;
  faultsAvailable: boolean;
  /** null against real services */
  faults: FaultControl<Patch> | null;
  close(): Promise<void>;
}

export interface ForTestsOptions {
  /** run the test server as a child process instead of in-process */
  process?: boolean;
}

function faultControl<Patch>(baseUrl: string, name: string): FaultControl<Patch> {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${name} test server ${method} ${path} answered ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    set: (patch) => call('POST', '/_test/faults', patch),
    reset: async () => void (await call('DELETE', '/_test/faults')),
    stats: () => call('GET', '/_test/stats'),
    resetAll: async () => void (await call('POST', '/_test/reset')),
  };
}

function realService<Patch>(url: string): ServiceForTests<Patch> {
  return { url: url.replace(/\/+$/, ''), real: true, faultsAvailable: false, faults: null, close: async () => {} };
}

export async function elasticsearchForTests(opts: ForTestsOptions = {}): Promise<ServiceForTests<EsFaultPatch>> {
  const external = process.env.ES_URL;
  if (external) return realService(external);
  if (opts.process) {
    const p = await spawnElasticsearchTestServer();
    return { url: p.url, real: false, faultsAvailable: true, faults: faultControl(p.url, 'elasticsearch'), close: () => p.stop() };
  }
  const s = await startElasticsearchTestServer({ port: 0 });
  return { url: s.url, real: false, faultsAvailable: true, faults: faultControl(s.url, 'elasticsearch'), close: () => s.close() };
}

export async function webhdfsForTests(opts: ForTestsOptions & { dataDir?: string } = {}): Promise<ServiceForTests<WebHdfsFaultPatch>> {
  const external = process.env.WEBHDFS_URL;
  if (external) return realService(external);
  if (opts.process) {
    const p = await spawnWebHdfsTestServer({ dataDir: opts.dataDir });
    return { url: p.url, real: false, faultsAvailable: true, faults: faultControl(p.url, 'webhdfs'), close: () => p.stop() };
  }
  const s = await startWebHdfsTestServer({ port: 0, datanodePort: 0, dataDir: opts.dataDir });
  return { url: s.url, real: false, faultsAvailable: true, faults: faultControl(s.url, 'webhdfs'), close: () => s.close() };
}
