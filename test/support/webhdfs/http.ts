// Response helpers shared by the NameNode and DataNode handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RemoteException } from './errors.ts';

/** NameNode (Jersey) answers application/json; the DataNode (Netty) adds the charset. */
export type Side = 'namenode' | 'datanode';
const JSON_TYPE: Record<Side, string> = { namenode: 'application/json', datanode: 'application/json; charset=utf-8' };

export function sendJson(res: ServerResponse, side: Side, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': JSON_TYPE[side], 'Content-Length': Buffer.byteLength(payload) });
  res.end(payload);
}

export function sendError(res: ServerResponse, side: Side, e: RemoteException): void {
  sendJson(res, side, e.status, e.toJSON());
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Length': 0 });
  res.end();
}

export function sendBytes(res: ServerResponse, data: Buffer): void {
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': data.length });
  res.end(data);
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/** Discard an unread request body (after answering early with an error). */
export function drain(req: IncomingMessage): void {
  if (!req.readableEnded) req.resume();
}

export const delay = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());
