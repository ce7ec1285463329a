// The REST API under /api. Every handler validates its inputs (zod) and answers JSON; errors are
// ApiErrors that the app's error handler turns into {"error", "details"} with a 4xx status.
import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import { describeProcessor, describeService } from '../sdk/describe.ts';
import { buildFlowJsonSchema } from '../flow/json-schema.ts';
import type { FlowManager } from '../manager/flow-manager.ts';
import { ApiError, badRequest } from '../manager/errors.ts';
import { pathPropertiesOf } from '../manager/allowed-paths.ts';
import type { Settings } from '../manager/settings.ts';
import { BulletinQuery, ContentQuery, FlowFileListQuery, ProvenanceQuery, StatusQuery, zodDetails } from './schemas.ts';
import { buildOpenApi } from './openapi.ts';
import { clusterFlowStatus, describeNodes, overlayClusterStatus, type ClusterView } from './cluster.ts';

export interface ApiContext {
  manager: FlowManager;
  settings: Settings;
  version: string;
  startedAt: number;
  /** Cluster mode (`serve --redis`): the attached cluster; null or absent in embedded mode. */
  cluster?: ClusterView | null;
}

const MAX_PREVIEW = 1024 * 1024;

function query<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const r = schema.safeParse(req.query ?? {});
  if (!r.success) throw badRequest('The query parameters are invalid.', zodDetails(r.error, 'query.'));
  return r.data;
}

function param(req: Request, name: string): string {
  const v = req.params[name];
  if (typeof v !== 'string' || v.length === 0 || v.length > 200) throw badRequest(`The path parameter "${name}" is invalid.`);
  return v;
}

/** The body, or undefined when none was sent. */
function body(req: Request): unknown {
  return (req as Request & { jsonBody?: unknown }).jsonBody;
}

function requireBody(req: Request): unknown {
  const b = body(req);
  if (b === undefined) throw badRequest('A JSON request body (a flow definition, format v1) is required.');
  return b;
}

function etag(version: number): string { return `"v${version}"`; }

function ifMatch(req: Request): number | undefined {
  const h = req.headers['if-match'];
  if (h === undefined || h === '*') return undefined;
  const m = /^(?:W\/)?"v(\d+)"$/.exec(h.trim());
  if (!m) throw new ApiError(412, 'The If-Match header must be an ETag from GET /api/flows/:id, such as "v3".');
  return Number(m[1]);
}

function safeFilename(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100) || 'flowfile';
}

function mimeOf(value: string | undefined): string {
  if (value && /^[A-Za-z0-9!#$&^_.+-]{1,64}\/[A-Za-z0-9!#$&^_.+-]{1,64}(?:\s*;\s*[A-Za-z0-9_-]+=("?)[A-Za-z0-9._-]+\1)*$/.test(value.trim())) return value.trim();
  return 'application/octet-stream';
}

export function hexDump(buf: Buffer): string {
  const lines: string[] = [];
  for (let off = 0; off < buf.length; off += 16) {
    const row = buf.subarray(off, off + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0'));
    const left = hex.slice(0, 8).join(' ');
    const right = hex.slice(8).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${left.padEnd(23)}  ${right.padEnd(23)}  |${ascii}|`);
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

export function apiRouter(ctx: ApiContext): Router {
  const { manager } = ctx;
  const cluster = ctx.cluster ?? null;
  const r = Router({ strict: false, caseSensitive: true });

  // ---- catalog ----
  r.get('/info', (_req, res) => {
    res.json({
      name: 'sluice', version: ctx.version, startedAt: new Date(ctx.startedAt).toISOString(),
      flows: [...manager.all()].length,
      provenance: { enabled: manager.provenance.enabled, capacity: manager.provenance.capacity, ratePerSecond: manager.provenance.ratePerSecond, skippedSessions: manager.provenance.skippedSessions },
      allowedPaths: ctx.settings.allowedPaths,
    });
  });

  r.get('/processor-types', (_req, res) => {
    res.json({
      processorTypes: manager.registry.list().map((def) => ({ ...describeProcessor(def), pathProperties: [...pathPropertiesOf(def)] })),
      controllerServiceTypes: manager.services.list().map(describeService),
    });
  });
  r.get('/controller-service-types', (_req, res) => {
    res.json({ controllerServiceTypes: manager.services.list().map(describeService) });
  });
  r.get('/flow-schema', (_req, res) => { res.json(buildFlowJsonSchema(manager.registry, manager.services)); });
  r.get('/openapi.json', (_req, res) => { res.json(buildOpenApi(ctx.version)); });

  r.get('/cluster', async (_req, res) => {
    if (!cluster) { res.json({ mode: 'embedded' }); return; }
    res.json({ mode: 'cluster', nodeId: cluster.node.id, nodes: describeNodes(await cluster.nodes(), cluster.node.id) });
  });

  // ---- flows ----
  r.get('/flows', (_req, res) => { res.json({ flows: manager.list() }); });

  r.post('/flows', async (req, res) => {
    const { record, warnings } = await manager.create(requireBody(req), 'create');
    res.status(201).location(`/api/flows/${encodeURIComponent(record.id)}`).set('ETag', etag(record.version)).json({ ...record, warnings });
  });

  r.post('/flows/import', async (req, res) => {
    const { record, warnings } = await manager.create(requireBody(req), 'import');
    res.status(201).location(`/api/flows/${encodeURIComponent(record.id)}`).set('ETag', etag(record.version)).json({ ...record, warnings });
  });

  r.get('/flows/:id', (req, res) => {
    const record = manager.record(param(req, 'id'));
    res.set('ETag', etag(record.version)).json(record);
  });

  r.put('/flows/:id', async (req, res) => {
    const id = param(req, 'id');
    manager.require(id);
    const result = await manager.update(id, requireBody(req), ifMatch(req));
    res.set('ETag', etag(result.record.version)).json({ ...result.record, warnings: result.warnings, restarted: result.restarted, failures: result.failures });
  });

  r.delete('/flows/:id', async (req, res) => {
    const id = param(req, 'id');
    await manager.remove(id);
    res.json({ deleted: id });
  });

  r.post('/flows/:id/validate', (req, res) => {
    res.json(manager.validate(param(req, 'id'), body(req)));
  });

  r.get('/flows/:id/export', (req, res) => {
    const id = param(req, 'id');
    const flow = manager.exportDefinition(id);
    res.set('Content-Disposition', `attachment; filename="${safeFilename(id)}.json"`)
      .type('application/json')
      .send(`${JSON.stringify(flow, null, 2)}\n`);
  });

  // ---- run control ----
  r.post('/flows/:id/start', async (req, res) => { res.json(await manager.startFlow(param(req, 'id'))); });
  r.post('/flows/:id/stop', async (req, res) => { res.json(await manager.stopFlow(param(req, 'id'))); });
  for (const action of ['start', 'stop', 'run-once', 'enable', 'disable'] as const) {
    r.post(`/flows/:id/processors/:pid/${action}`, async (req, res) => {
      res.json(await manager.processorAction(param(req, 'id'), param(req, 'pid'), action));
    });
  }

  // ---- status ----
  r.get('/flows/:id/status', async (req, res) => {
    const q = query(StatusQuery, req);
    const id = param(req, 'id');
    const status = manager.status(id, q.bulletins);
    if (!cluster) { res.json(status); return; }
    res.json(overlayClusterStatus(status, await clusterFlowStatus(cluster, id), manager.require(id).secrets, q.bulletins));
  });
  r.get('/flows/:id/bulletins', (req, res) => {
    const q = query(BulletinQuery, req);
    res.json({ bulletins: manager.bulletins(param(req, 'id'), { sinceId: q.sinceId, limit: q.limit, processorId: q.processor }) });
  });

  // ---- queues ----
  r.get('/flows/:id/connections/:cid/flowfiles', async (req, res) => {
    const q = query(FlowFileListQuery, req);
    const id = param(req, 'id');
    const cid = param(req, 'cid');
    const listing = manager.listQueue(id, cid, q.limit);
    if (!cluster) { res.json(listing); return; }
    // Cluster mode: the FlowFiles are in Redis; the size is the cluster-wide one.
    const queued = (await clusterFlowStatus(cluster, id))?.connections.find((c) => c.id === cid)?.queued;
    res.json(queued ? { ...listing, queued: { ...queued } } : listing);
  });
  r.delete('/flows/:id/connections/:cid/flowfiles', (req, res) => {
    res.json({ dropped: manager.emptyQueue(param(req, 'id'), param(req, 'cid')) });
  });
  r.get('/flows/:id/connections/:cid/flowfiles/:ffid', (req, res) => {
    const ff = manager.findFlowFile(param(req, 'id'), param(req, 'cid'), param(req, 'ffid'));
    res.json({ id: ff.id, size: ff.size, entryDate: ff.entryDate, lineageStartDate: ff.lineage.startDate, parentIds: ff.parentIds, attributes: ff.attributes() });
  });
  r.get('/flows/:id/connections/:cid/flowfiles/:ffid/content', (req, res) => {
    const q = query(ContentQuery, req);
    const ff = manager.findFlowFile(param(req, 'id'), param(req, 'cid'), param(req, 'ffid'));
    sendContent(res, ff, q.as);
  });

  // ---- provenance ----
  r.get('/flows/:id/provenance', (req, res) => {
    const q = query(ProvenanceQuery, req);
    const events = manager.queryProvenance(param(req, 'id'), { flowFileId: q.flowfile, componentId: q.processor, type: q.type, limit: q.limit });
    const p = manager.provenance;
    res.json({ enabled: p.enabled, capacity: p.capacity, ratePerSecond: p.ratePerSecond, skippedSessions: p.skippedSessions, events });
  });

  return r;
}

function sendContent(res: Response, ff: import('../engine/flowfile.ts').FlowFile, as: 'text' | 'hex' | undefined): void {
  res.set('Content-Security-Policy', "sandbox; default-src 'none'");
  res.set('X-Sluice-FlowFile-Size', String(ff.size));
  if (as) {
    const n = Math.min(ff.size, MAX_PREVIEW);
    const bytes = ff.claim.read(ff.offset, n);
    if (n < ff.size) res.set('X-Sluice-Truncated', 'true');
    res.type('text/plain; charset=utf-8').send(as === 'hex' ? hexDump(bytes) : bytes.toString('utf8'));
    return;
  }
  const filename = safeFilename(ff.getAttribute('filename') ?? ff.id);
  res.set('Content-Type', mimeOf(ff.getAttribute('mime.type')));
  res.set('Content-Length', String(ff.size));
  res.set('Content-Disposition', `inline; filename="${filename}"`);
  if (ff.size === 0) { res.end(); return; }
  const stream = ff.claim.stream(ff.offset, ff.size);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
