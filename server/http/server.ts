// startServer(): the whole of `sluice serve` in-process (tests and the UI tests use it directly).
// One HTTP server carries express and socket.io; flows come from the data dir.
import { createServer, type Server as HttpServer } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../engine/logger.ts';
import { TieredContentStore } from '../engine/content/store.ts';
import type { ProcessorRegistry } from '../sdk/registry.ts';
import type { ServiceRegistry } from '../sdk/services.ts';
import { createProcessorRegistry, createServiceRegistry } from '../../processors/index.ts';
import { FlowManager } from '../manager/flow-manager.ts';
import { ProvenanceStore } from '../manager/provenance-store.ts';
import { createMetrics } from '../manager/metrics.ts';
import { adaptPino, createPino } from '../manager/logger.ts';
import { resolveSettings, type Settings, type SettingsInput } from '../manager/settings.ts';
import { createApp } from './app.ts';
import { LiveStatus } from './live.ts';
import { HostPolicy, TokenCheck, loadOrCreateToken } from './security.ts';
import { clusterFlowStatus, overlayClusterStatus, type ClusterView } from './cluster.ts';
import type { ClusterAttachment } from '../cluster/attach.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerOptions extends SettingsInput {
  /** Environment for SLUICE_* fallbacks (default process.env; pass {} for hermetic tests). */
  env?: Readonly<Record<string, string | undefined>>;
  logger?: Logger;
  /** Static UI files (default <repo>/ui/dist). */
  uiDir?: string;
  /** Examples loaded on a first start (default <repo>/flows/examples; null for none). */
  examplesDir?: string | null;
  registry?: ProcessorRegistry;
  services?: ServiceRegistry;
  /** Cluster mode: prefix of every Redis key (default SLUICE_REDIS_PREFIX from `env`, else "sluice"). */
  redisPrefix?: string;
}

export interface RunningServer {
  url: string;
  /** The URL to open in a browser: carries the token once. */
  openUrl: string;
  token: string;
  tokenGenerated: boolean;
  host: string;
  port: number;
  settings: Settings;
  manager: FlowManager;
  live: LiveStatus;
  http: HttpServer;
  /** Cluster mode (`redisUrl` set): the attached cluster node; null in embedded mode. */
  cluster: ClusterAttachment | null;
  close(): Promise<void>;
}

function packageVersion(): string {
  try { return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0'; } catch { return '0.0.0'; }
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const { env, logger: givenLogger, uiDir, examplesDir, registry, services, redisPrefix, ...input } = options;
  const settings = resolveSettings(input, env ?? process.env);
  const logger = givenLogger ?? adaptPino(createPino(settings.logLevel));
  const startedAt = Date.now();

  mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  const { token, generated } = loadOrCreateToken(settings.dataDir, settings.token);
  const tokenCheck = new TokenCheck(token);
  const hostPolicy = new HostPolicy(settings.host, settings.allowedHosts);

  const provenance = new ProvenanceStore(settings.provenanceEvents, settings.provenanceRate);
  const manager = new FlowManager({
    dataDir: settings.dataDir,
    registry: registry ?? createProcessorRegistry(),
    services: services ?? createServiceRegistry(),
    contentStore: new TieredContentStore(join(settings.dataDir, 'content')),
    logger,
    provenance,
    allowedPaths: settings.allowedPaths,
    examplesDir: examplesDir === undefined ? join(ROOT, 'flows', 'examples') : examplesDir,
    // Cluster mode: the workers run the flows; this manager only keeps definitions and desired states.
    execute: settings.redisUrl === undefined,
  });
  // Cluster mode: attached after manager.init(), before the server listens (so no request comes earlier).
  let cluster: ClusterAttachment | null = null;
  const clusterView: ClusterView | null = settings.redisUrl === undefined ? null : {
    get node() { return cluster!.node; },
    nodes: () => cluster!.nodes(),
    flowStatus: (id) => cluster!.flowStatus(id),
  };
  const metrics = createMetrics(manager);
  let closing = false;
  const app = createApp({
    manager, settings, tokenCheck, hostPolicy, metrics, logger, startedAt,
    uiDir: uiDir ?? join(ROOT, 'ui', 'dist'),
    version: packageVersion(),
    isReady: () => manager.ready && !closing,
    cluster: clusterView,
  });
  const http = createServer({ requestTimeout: 60_000, headersTimeout: 20_000, keepAliveTimeout: 5_000 }, app);
  http.maxHeadersCount = 100;
  const live = new LiveStatus(http, {
    manager, tokenCheck, hostPolicy, statusIntervalMs: settings.statusIntervalMs, logger,
    status: clusterView ? async (id) => {
      const cs = await clusterFlowStatus(clusterView, id);
      return overlayClusterStatus(manager.status(id), cs, manager.require(id).secrets);
    } : undefined,
  });

  await manager.init();
  if (settings.redisUrl !== undefined) {
    try {
      const { attachCluster } = await import('../cluster/attach.ts');
      cluster = await attachCluster({
        redisUrl: settings.redisUrl, prefix: redisPrefix, worker: settings.worker,
        registry: manager.runtimeRegistry, services: manager.services, logger, manager, env: env ?? process.env,
        // Bulletins of the flows this node runs (with --worker) reach live clients as in embedded mode.
        onBulletin: (flowId, b) => { if (manager.has(flowId)) manager.events.emit('bulletin', flowId, b); },
      });
    } catch (e) {
      await manager.close(settings.shutdownTimeoutMs);
      await live.close().catch(() => undefined);
      throw e;
    }
    logger.info({ node: cluster.node.id, worker: settings.worker }, 'joined the cluster');
  }
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(new Error(e.code === 'EADDRINUSE' ? `port ${settings.port} on ${settings.host} is already in use` : e.code === 'EACCES' ? `no permission to listen on ${settings.host}:${settings.port}` : e.message));
    };
    http.once('error', onError);
    http.listen(settings.port, settings.host, () => { http.off('error', onError); resolve(); });
  }).catch(async (e) => {
    await cluster?.close().catch(() => undefined);
    await manager.close(settings.shutdownTimeoutMs);
    await live.close().catch(() => undefined);
    throw e;
  });
  const port = (http.address() as AddressInfo).port;
  const hostForUrl = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `http://${hostForUrl}:${port}`;
  logger.info({ url, dataDir: settings.dataDir, allowedPaths: settings.allowedPaths, provenanceEvents: settings.provenanceEvents }, 'sluice is listening');

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      logger.info({}, 'shutting down');
      const serverClosed = new Promise<void>((resolve) => http.close(() => resolve()));
      // Cluster mode: leave the cluster first (this node's processors stop, the mirror writes what is pending).
      if (cluster) await cluster.close().catch((e) => logger.error({}, `leaving the cluster failed: ${(e as Error).message}`));
      const { clean } = await manager.close(settings.shutdownTimeoutMs);
      await live.close();
      http.closeAllConnections();
      await serverClosed;
      logger.info({ clean }, 'stopped');
    })();
    return closed;
  };

  return { url, openUrl: `${url}/?token=${encodeURIComponent(token)}`, token, tokenGenerated: generated, host: settings.host, port, settings, manager, live, http, cluster, close };
}
