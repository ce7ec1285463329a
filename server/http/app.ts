// The express application: Host/Origin guard, access token, body limits and safe JSON, the API,
// health and metrics endpoints, the UI's static files, and one error format.
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { Logger } from '../engine/logger.ts';
import type { FlowManager } from '../manager/flow-manager.ts';
import type { Settings } from '../manager/settings.ts';
import { ApiError } from '../manager/errors.ts';
import { formatDataSize } from '../engine/units.ts';
import { JsonInputError, parseJsonSafely } from './safe-json.ts';
import { bearerToken, SECURITY_HEADERS, type HostPolicy, type TokenCheck } from './security.ts';
import { apiRouter } from './routes.ts';
import type { ClusterView } from './cluster.ts';

export interface AppOptions {
  manager: FlowManager;
  settings: Settings;
  tokenCheck: TokenCheck;
  hostPolicy: HostPolicy;
  metrics: Registry;
  logger: Logger;
  uiDir: string;
  version: string;
  startedAt: number;
  isReady(): boolean;
  /** Cluster mode: the attached cluster (GET /api/cluster, cluster-wide status). */
  cluster?: ClusterView | null;
}

const JSON_TYPES = ['application/json', 'text/plain'];

function sendError(res: Response, status: number, error: string, details: { path: string; message: string }[] = []): void {
  if (res.headersSent) { res.destroy(); return; }
  res.status(status).set('Cache-Control', 'no-store').json({ error, details });
}

export function createApp(options: AppOptions): express.Express {
  const { settings, tokenCheck, hostPolicy, logger } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  // Response hardening and a request log line (path only: never the query, which may hold a token).
  app.use((req, res, next) => {
    res.set(SECURITY_HEADERS);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = { method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      if (res.statusCode >= 500) logger.error(line, 'request failed');
      else if (res.statusCode >= 400) logger.info(line, 'request rejected');
      else logger.debug(line, 'request');
    });
    next();
  });

  // CSRF and DNS rebinding: the Host must be this server's, and an Origin, when sent, the same.
  app.use((req, res, next) => {
    const why = hostPolicy.reject(req);
    if (why) return sendError(res, 403, why);
    next();
  });

  app.get('/livez', (_req, res) => { res.set('Cache-Control', 'no-store').json({ status: 'ok' }); });
  app.get('/readyz', (_req, res) => {
    const ready = options.isReady();
    res.status(ready ? 200 : 503).set('Cache-Control', 'no-store').json({ status: ready ? 'ready' : 'not ready' });
  });

  const authenticate = (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const token = bearerToken(header);
    if (!token) {
      res.set('WWW-Authenticate', 'Bearer realm="sluice"');
      return sendError(res, 401, header
        ? 'The Authorization header must look like "Bearer <token>".'
        : 'An access token is required: send the header "Authorization: Bearer <token>".');
    }
    if (!tokenCheck.matches(token)) {
      res.set('WWW-Authenticate', 'Bearer realm="sluice", error="invalid_token"');
      return sendError(res, 401, 'The access token is not valid.');
    }
    next();
  };

  app.get('/metrics', authenticate, async (_req, res) => {
    res.set('Content-Type', options.metrics.contentType).set('Cache-Control', 'no-store').send(await options.metrics.metrics());
  });

  // ---- the API ----
  const rawBody = express.raw({ type: () => true, limit: settings.maxBodyBytes });
  const jsonBody = (req: Request, _res: Response, next: NextFunction) => {
    const buf = req.body as unknown;
    (req as Request & { jsonBody?: unknown }).jsonBody = undefined;
    if (!Buffer.isBuffer(buf) || buf.length === 0) return next();
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!JSON_TYPES.includes(type) && !/^application\/[a-z0-9.+-]*\+json$/.test(type)) {
      throw new ApiError(415, `Send the body as JSON (Content-Type: application/json or text/plain), not ${JSON.stringify(type || 'untyped')}.`);
    }
    let text: string;
    try { text = new TextDecoder('utf-8', { fatal: true }).decode(buf); } catch {
      throw new ApiError(400, 'The request body is not valid UTF-8.');
    }
    if (text.trim() === '') return next();
    try { (req as Request & { jsonBody?: unknown }).jsonBody = parseJsonSafely(text, settings.maxJsonDepth); } catch (e) {
      if (e instanceof JsonInputError) throw new ApiError(400, e.message);
      throw e;
    }
    req.body = undefined;
    next();
  };
  app.use('/api', authenticate, (_req, res, next) => { res.set('Cache-Control', 'no-store'); next(); }, rawBody, jsonBody,
    apiRouter({ manager: options.manager, settings, version: options.version, startedAt: options.startedAt, cluster: options.cluster }));
  app.use('/api', (req, res) => sendError(res, 404, `There is no API endpoint ${req.method} ${req.originalUrl.split('?')[0]}.`));

  // ---- the UI ----
  const index = join(options.uiDir, 'index.html');
  const hasUi = existsSync(index) && statSync(index).isFile();
  const uiCsp = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  if (hasUi) {
    app.use(express.static(options.uiDir, {
      index: 'index.html', dotfiles: 'ignore', fallthrough: true,
      setHeaders: (res) => res.set('Content-Security-Policy', uiCsp),
    }));
    // Client-side routes get the app shell.
    app.get(/^\/(?!api\/|socket\.io\/).*/, (req, res, next) => {
      if (!req.accepts('html')) return next();
      res.set('Content-Security-Policy', uiCsp).set('Cache-Control', 'no-cache').sendFile(index);
    });
  } else {
    app.get('/', (_req, res) => {
      res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'").type('html').send(PLACEHOLDER);
    });
  }
  app.use((req, res) => sendError(res, 404, `Nothing is served at ${req.method} ${req.originalUrl.split('?')[0]}.`));

  // ---- errors: one shape, never a stack trace ----
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof ApiError) return sendError(res, err.status, err.message, err.details);
    const e = err as { type?: string; status?: number; statusCode?: number; expose?: boolean; message?: string; limit?: number };
    if (e?.type === 'entity.too.large') {
      return sendError(res, 413, `The request body is larger than the limit of ${formatDataSize(e.limit ?? settings.maxBodyBytes)}.`);
    }
    if (e?.type === 'request.aborted') return sendError(res, 400, 'The request body was not received completely.');
    if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return sendError(res, 415, 'The request body must be UTF-8.');
    const status = e?.status ?? e?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendError(res, status, status === 400 && err instanceof URIError ? 'The request URL is malformed.' : `The request was rejected (${status}).`);
    }
    logger.error({ err, method: req.method, path: req.originalUrl.split('?')[0] }, 'unhandled error');
    sendError(res, 500, 'An internal error occurred; the server log has the details.');
  });
  return app;
}

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sluice</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#f2f2f2;padding:.1rem .3rem;border-radius:3px}</style>
</head><body>
<h1>Sluice is running</h1>
<p>The web UI is not built yet (no <code>ui/dist</code>). The REST API is available under <code>/api</code>;
send <code>Authorization: Bearer &lt;token&gt;</code> with every call. See <code>/api/openapi.json</code> and docs/API.md.</p>
</body></html>
`;
