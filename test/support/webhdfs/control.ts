// Test-only control endpoints on the NameNode port (not part of WebHDFS):
//   GET /_test/faults · POST /_test/faults (JSON patch, see faults.ts) · DELETE /_test/faults
//   GET /_test/stats  · POST /_test/reset (empty namespace, no faults, zero counters)
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebHdfsContext } from './context.ts';
import type { WebHdfsFaultPatch } from './faults.ts';
import { readBody, sendJson } from './http.ts';

export async function handleControl(req: IncomingMessage, res: ServerResponse, path: string, ctx: WebHdfsContext): Promise<void> {
  const method = req.method ?? 'GET';
  const key = `${method} ${path}`;
  if (key === 'GET /_test/faults') return sendJson(res, 'namenode', 200, ctx.faults.snapshot());
  if (key === 'DELETE /_test/faults') {
    ctx.faults.reset();
    return sendJson(res, 'namenode', 200, ctx.faults.snapshot());
  }
  if (key === 'POST /_test/faults' || key === 'PUT /_test/faults') {
    const text = (await readBody(req)).toString('utf8');
    try {
      const patch = JSON.parse(text || '{}') as WebHdfsFaultPatch;
      return sendJson(res, 'namenode', 200, ctx.faults.configure(patch));
    } catch (e) {
      return sendJson(res, 'namenode', 400, { error: (e as Error).message });
    }
  }
  if (key === 'GET /_test/stats')
    return sendJson(res, 'namenode', 200, { ...ctx.stats.toJSON(), faults: { ...ctx.faults.triggered }, namespace: ctx.ns.counts() });
  if (key === 'POST /_test/reset') {
    ctx.ns.clear();
    ctx.faults.reset();
    ctx.faults.resetCounters();
    ctx.stats.reset();
    return sendJson(res, 'namenode', 200, { acknowledged: true });
  }
  sendJson(res, 'namenode', 404, { error: `no test endpoint ${key}` });
}
