// The NameNode's WebHDFS endpoint: metadata ops answer directly; CREATE/APPEND/OPEN answer
// "307 Temporary Redirect" to the DataNode (or 200 {"Location": ...} with noredirect=true), as Hadoop does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { injectedLeaseError, clientName, type WebHdfsContext } from './context.ts';
import { handleControl } from './control.ts';
import { hdfsErrors, toRemoteException } from './errors.ts';
import { delay, drain, sendEmpty, sendError, sendJson } from './http.ts';
import { MAX_REPLICATION, splitPath } from './namespace.ts';
import { hdfsPath, HdfsParams, WEBHDFS_PREFIX } from './params.ts';

function redirectUrl(ctx: WebHdfsContext, path: string, op: string, params: HdfsParams, extra: Record<string, string>): string {
  const q: [string, string][] = [['op', op]];
  for (const [k, v] of params.raw) if (!['op', 'noredirect', 'namenoderpcaddress'].includes(k.toLowerCase())) q.push([k, v]);
  q.push(['namenoderpcaddress', ctx.namenodeAddress]);
  for (const [k, v] of Object.entries(extra)) if (params.get(k) === undefined) q.push([k, v]);
  // like Hadoop, keep ':' and '/' readable in values (namenoderpcaddress=host:port)
  const enc = (s: string) => encodeURIComponent(s).replace(/%3A/gi, ':').replace(/%2F/gi, '/');
  const query = q.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  const encoded = splitPath(path).map(encodeURIComponent).join('/');
  return `${ctx.datanodeBase}${WEBHDFS_PREFIX}/${encoded}?${query}`;
}

function redirect(res: ServerResponse, params: HdfsParams, location: string): void {
  if (params.bool('noredirect', false)) return sendJson(res, 'namenode', 200, { Location: location });
  sendEmpty(res, 307, { Location: location, 'Content-Type': 'application/octet-stream' });
}

/** Validate the CREATE parameters on the first step, as the NameNode's Jersey params do. */
function validateCreateParams(params: HdfsParams): void {
  params.bool('overwrite', false);
  params.bool('createparent', true);
  params.permission();
  params.permission('unmaskedpermission');
  const replication = params.short('replication', 1);
  if (replication !== undefined && replication > MAX_REPLICATION)
    throw hdfsErrors.badParam('replication', `Invalid parameter range: replication = ${replication} > ${MAX_REPLICATION}`);
  params.long('blocksize', 1);
  params.long('buffersize', 1);
}

export async function handleNamenode(req: IncomingMessage, res: ServerResponse, ctx: WebHdfsContext): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname.startsWith('/_test/')) return handleControl(req, res, url.pathname, ctx);
  const method = (req.method ?? 'GET').toUpperCase();
  let status = 200;
  try {
    const path = hdfsPath(url.pathname);
    if (path === null) {
      drain(req);
      status = 404;
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end(`Not Found: ${url.pathname}\n`);
      return;
    }
    const params = new HdfsParams(url.searchParams);
    const op = params.op(method);
    ctx.stats.count('namenode', op);
    await delay(ctx.faults.latencyMs);
    drain(req); // NameNode ops carry no body (CREATE/APPEND data goes to the DataNode)
    const caller = ctx.ns.caller(params.user);
    const ns = ctx.ns;
    switch (`${method} ${op}`) {
      case 'GET OPEN': {
        params.long('offset', 0);
        params.long('length', 0);
        ns.fileForRead(path, caller);
        return redirect(res, params, redirectUrl(ctx, path, 'OPEN', params, { offset: '0' }));
      }
      case 'GET GETFILESTATUS':
        return sendJson(res, 'namenode', 200, { FileStatus: ns.getFileStatus(path, caller) });
      case 'GET LISTSTATUS':
        return sendJson(res, 'namenode', 200, { FileStatuses: { FileStatus: ns.listStatus(path, caller) } });
      case 'GET GETCONTENTSUMMARY':
        return sendJson(res, 'namenode', 200, { ContentSummary: ns.contentSummary(path, caller) });
      case 'GET GETHOMEDIRECTORY':
        return sendJson(res, 'namenode', 200, { Path: `/user/${caller.user}` });
      case 'PUT CREATE':
        validateCreateParams(params);
        return redirect(res, params, redirectUrl(ctx, path, 'CREATE', params, { createparent: 'true', overwrite: 'false' }));
      case 'PUT MKDIRS':
        return sendJson(res, 'namenode', 200, { boolean: ns.mkdirs(path, params.permission(), caller) });
      case 'PUT RENAME': {
        const dest = params.get('destination');
        if (dest === undefined) throw hdfsErrors.illegalArgument('Required param destination for op: RENAME is null or empty');
        if (!dest.startsWith('/')) throw hdfsErrors.badParam('destination', `Invalid parameter value: destination = "${dest}" is not an absolute path.`);
        const target = '/' + splitPath(dest).join('/');
        if (ctx.faults.takeRenameFalse()) return sendJson(res, 'namenode', 200, { boolean: false });
        return sendJson(res, 'namenode', 200, { boolean: ns.rename(path, target, caller) });
      }
      case 'PUT SETPERMISSION':
        ns.setPermission(path, params.permission() ?? 0o755, caller);
        return sendEmpty(res, 200, { 'Content-Type': 'application/octet-stream' });
      case 'PUT SETOWNER': {
        const owner = params.get('owner');
        const group = params.get('group');
        if (owner === undefined && group === undefined) throw hdfsErrors.illegalArgument('Both owner and group are empty.');
        ns.setOwner(path, owner, group, caller);
        return sendEmpty(res, 200, { 'Content-Type': 'application/octet-stream' });
      }
      case 'PUT SETREPLICATION': {
        const replication = params.short('replication', 1) ?? ns.opts.defaultReplication;
        return sendJson(res, 'namenode', 200, { boolean: ns.setReplication(path, replication, caller) });
      }
      case 'PUT SETTIMES':
        ns.setTimes(path, params.long('modificationtime', -1) ?? -1, params.long('accesstime', -1) ?? -1, caller);
        return sendEmpty(res, 200, { 'Content-Type': 'application/octet-stream' });
      case 'POST APPEND': {
        params.long('buffersize', 1);
        const injected = ctx.faults.takeAppendLeaseError('namenode');
        if (injected) throw injectedLeaseError(ctx, injected, path, clientName(ctx));
        const node = ns.lookup(path, caller);
        if (!node) throw hdfsErrors.fileNotFound(`File ${path} not found.`);
        return redirect(res, params, redirectUrl(ctx, path, 'APPEND', params, {}));
      }
      case 'POST TRUNCATE': {
        const newLength = params.long('newlength', 0);
        if (newLength === undefined) throw hdfsErrors.illegalArgument('Required param newlength for op: TRUNCATE is null or empty');
        return sendJson(res, 'namenode', 200, { boolean: ns.truncate(path, newLength, caller) });
      }
      case 'DELETE DELETE':
        return sendJson(res, 'namenode', 200, { boolean: ns.delete(path, params.bool('recursive', false), caller) });
      default:
        throw hdfsErrors.unsupportedOperation(`${op} is not supported`);
    }
  } catch (e) {
    drain(req);
    const err = toRemoteException(e);
    status = err.status;
    sendError(res, 'namenode', err);
  } finally {
    ctx.stats.status('namenode', res.statusCode || status);
  }
}
