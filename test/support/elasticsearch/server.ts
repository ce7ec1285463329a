// An in-memory server speaking the Elasticsearch REST subset Sluice uses, for tests and benchmarks.
//
//   const es = await startElasticsearchTestServer({ port: 0 });
//   const client = new Client({ node: es.url });
//   es.faults.configure({ rejectFraction: 0.1 });
//   await es.close();
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EsContext } from './context.ts';
import { errors } from './errors.ts';
import { EsFaults } from './faults.ts';
import { checkContentType, errorReply, negotiate, parseSegments, readBody, sendReply, type EsRequest } from './http.ts';
import { matchRoute } from './routes.ts';
import { EsStats } from './stats.ts';
import { EsStore, randomUuid } from './store.ts';

export interface ElasticsearchTestServerOptions {
  port?: number;
  host?: string;
  /** version.number reported by GET / (default 9.1.0) */
  version?: string;
  /** auto refresh period in ms (ES's index.refresh_interval, default 1000); <= 0 disables */
  refreshIntervalMs?: number;
  /** error type for documents that do not fit the mapping: ES 8.8+/9 say document_parsing_exception */
  parsingErrorType?: 'document_parsing_exception' | 'mapper_parsing_exception';
  /** http.max_content_length (default 100 MiB) */
  maxContentLength?: number;
  clusterName?: string;
}

export interface ElasticsearchTestServer {
  url: string;
  port: number;
  host: string;
  faults: EsFaults;
  store: EsStore;
  stats: EsStats;
  /** drop all indices, faults and counters */
  reset(): void;
  close(): Promise<void>;
}

export async function startElasticsearchTestServer(opts: ElasticsearchTestServerOptions = {}): Promise<ElasticsearchTestServer> {
  const host = opts.host ?? '127.0.0.1';
  const maxContentLength = opts.maxContentLength ?? 100 * 1024 * 1024;
  const ctx: EsContext = {
    store: new EsStore(opts.parsingErrorType ?? 'document_parsing_exception'),
    faults: new EsFaults(),
    stats: new EsStats(),
    clusterName: opts.clusterName ?? 'sluice-test',
    clusterUuid: randomUuid(),
    nodeName: 'sluice-es-test-node',
    version: opts.version ?? '9.1.0',
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let esReq: EsRequest | null = null;
    let mediaType = 'application/json';
    let status = 500;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = (req.method ?? 'GET').toUpperCase();
      const raw = await readBody(req, maxContentLength);
      esReq = {
        method,
        path: url.pathname,
        segments: parseSegments(url.pathname),
        query: url.searchParams,
        headers: req.headers,
        body: raw.length ? raw.toString('utf8') : '',
        bodyBytes: raw.length,
      };
      const match = matchRoute(method, url.pathname, esReq.segments);
      ctx.stats.countRequest(match.name);
      if (!match.control) {
        if (ctx.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, ctx.faults.latencyMs));
        if (ctx.faults.takeUnavailable()) throw errors.unavailable();
        checkContentType(req.headers, raw.length);
      }
      mediaType = negotiate(req.headers);
      const reply = await match.handler(esReq, match.params, ctx);
      status = reply.status;
      sendReply(res, esReq, reply, mediaType);
    } catch (e) {
      const reply = errorReply(e);
      status = reply.status;
      if (!res.headersSent) sendReply(res, esReq, reply, mediaType);
      else res.destroy();
    } finally {
      ctx.stats.countStatus(status);
    }
  };

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => void handle(req, res));
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const refreshMs = opts.refreshIntervalMs ?? 1000;
  const timer = refreshMs > 0 ? setInterval(() => ctx.store.refreshAll(), refreshMs) : null;
  timer?.unref();

  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    faults: ctx.faults,
    store: ctx.store,
    stats: ctx.stats,
    reset() {
      ctx.store.clear();
      ctx.faults.reset();
      ctx.faults.resetCounters();
      ctx.stats.reset();
    },
    close() {
      if (timer) clearInterval(timer);
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
