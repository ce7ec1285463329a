// The DataNode's WebHDFS endpoint, reached through NameNode redirects: CREATE (PUT, answers 201 Created with
// Location hdfs://...), APPEND (POST, answers 200) and OPEN (GET, streams bytes, honours offset/length).
// Like Hadoop's it requires the namenoderpcaddress parameter the NameNode put in the redirect.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientName, injectedLeaseError, type WebHdfsContext } from './context.ts';
import { hdfsErrors, toRemoteException } from './errors.ts';
import { delay, drain, sendBytes, sendEmpty, sendError } from './http.ts';
import type { FileNode } from './namespace.ts';
import { hdfsPath, HdfsParams } from './params.ts';

/** Resolve on the first body bytes (or the end of an empty body). */
function firstBytes(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded) return resolve();
    req.once('data', () => resolve());
    req.once('end', () => resolve());
    req.once('error', () => resolve());
    req.once('close', () => resolve());
  });
}

async function write(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: WebHdfsContext,
  path: string,
  op: 'CREATE' | 'APPEND',
  params: HdfsParams,
): Promise<void> {
  const ns = ctx.ns;
  const caller = ns.caller(params.user);
  const client = clientName(ctx);
  const failure = ctx.faults.takeDatanodeWriteFailure();
  if (op === 'APPEND') {
    const injected = ctx.faults.takeAppendLeaseError('datanode');
    if (injected) throw injectedLeaseError(ctx, injected, path, client);
  }
  let file: FileNode;
  if (op === 'CREATE') {
    const replication = params.short('replication', 1);
    file = ns.beginCreate(
      path,
      {
        overwrite: params.bool('overwrite', false),
        permission: params.permission(),
        replication,
        blockSize: params.long('blocksize', 1),
        createParent: params.bool('createparent', true),
      },
      caller,
      client,
    );
  } else {
    file = ns.beginAppend(path, caller, client);
  }

  if (failure?.mode === 'drop') {
    await firstBytes(req);
    ns.abortWrite(file);
    ctx.stats.datanode.aborted++;
    req.socket.destroy();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
    }
  } catch {
    ns.abortWrite(file); // the client went away mid-body
    ctx.stats.datanode.aborted++;
    return;
  }
  if (failure) {
    ns.abortWrite(file);
    throw hdfsErrors.io(
      `All datanodes [DatanodeInfoWithStorage[${ctx.datanodeBase.replace(/^http:\/\//, '')},DS-sluice-test,DISK]] are bad. Aborting... (injected DataNode failure)`,
      failure.status,
    );
  }
  const data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
  ns.finishWrite(file, data, op === 'CREATE' ? 'create' : 'append');
  ctx.stats.datanode.writes++;
  ctx.stats.datanode.bytesWritten += data.length;
  if (op === 'CREATE') sendEmpty(res, 201, { Location: `hdfs://${ctx.namenodeAddress}${encodeURI(path)}` });
  else sendEmpty(res, 200);
}

export async function handleDatanode(req: IncomingMessage, res: ServerResponse, ctx: WebHdfsContext): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  try {
    const path = hdfsPath(url.pathname);
    if (path === null) {
      drain(req);
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end(`Not Found: ${url.pathname}\n`);
      return;
    }
    const params = new HdfsParams(url.searchParams);
    const op = params.op(method);
    ctx.stats.count('datanode', op);
    await delay(ctx.faults.latencyMs);
    if (params.get('namenoderpcaddress') === undefined) throw hdfsErrors.illegalArgument('namenoderpcaddress is not specified.');
    switch (`${method} ${op}`) {
      case 'PUT CREATE':
        return await write(req, res, ctx, path, 'CREATE', params);
      case 'POST APPEND':
        return await write(req, res, ctx, path, 'APPEND', params);
      case 'GET OPEN': {
        drain(req);
        const offset = params.long('offset', 0) ?? 0;
        const length = params.long('length', 0);
        const data = ctx.ns.read(path, offset, length, ctx.ns.caller(params.user));
        ctx.stats.datanode.reads++;
        ctx.stats.datanode.bytesRead += data.length;
        return sendBytes(res, data);
      }
      default:
        throw hdfsErrors.illegalArgument(`Invalid operation ${op}`);
    }
  } catch (e) {
    drain(req);
    const err = toRemoteException(e);
    if (!res.headersSent && !res.destroyed) sendError(res, 'datanode', err);
  } finally {
    if (res.headersSent) ctx.stats.status('datanode', res.statusCode);
  }
}
