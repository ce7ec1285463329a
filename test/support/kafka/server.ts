// TCP server: frames requests, decodes them with the schema codec, runs the handler and writes
// the response. Requests on one connection are processed one at a time, in order (like Kafka).
// Every request gets an answer: unsupported API keys/versions and undecodable bodies get an
// error response (UNSUPPORTED_VERSION / INVALID_REQUEST) instead of a dropped socket.
import { createServer, type Server, type Socket } from 'node:net';
import { BrokerCore, type BrokerOptions } from './core.ts';
import { handlers } from './handlers/index.ts';
import { apiVersionsBody } from './handlers/connection.ts';
import type { RequestContext } from './handlers/types.ts';
import { API_NAMES, ApiKey, SUPPORTED_VERSIONS } from './protocol/api-keys.ts';
import { Writer } from './protocol/codec.ts';
import { ErrorCode, KafkaError } from './protocol/errors.ts';
import { FrameDecoder, frameChunks, parseRequestHeader, responseHeaderIsFlexible, writeResponseHeader, type RequestHeader } from './protocol/framing.ts';
import { decodeMessage, encodeMessage, hasVersion, requestDef, responseDef, type Msg } from './protocol/messages.ts';

const MAX_QUEUED = 64;
const HIGH_WATER = 16 * 1024 * 1024;

function encodeResponse(apiKey: number, apiVersion: number, correlationId: number, body: Msg): Buffer[] {
  const w = new Writer(512);
  writeResponseHeader(w, correlationId, responseHeaderIsFlexible(apiKey, apiVersion));
  encodeMessage(responseDef(apiKey)!, apiVersion, body, w);
  return frameChunks(w.chunksOut());
}

/** Best-effort error answer when a request cannot be served. */
function errorResponse(h: RequestHeader, code: number): Buffer[] {
  if (h.apiKey === ApiKey.ApiVersions) {
    // Kafka answers an ApiVersions request it cannot parse with a v0 body listing its versions
    return encodeResponse(ApiKey.ApiVersions, 0, h.correlationId, apiVersionsBody(code));
  }
  const def = responseDef(h.apiKey);
  if (hasVersion(def, h.apiVersion)) {
    try {
      return encodeResponse(h.apiKey, h.apiVersion, h.correlationId, { ErrorCode: code, ThrottleTimeMs: 0 });
    } catch {
      /* fall through */
    }
  }
  // unknown API or version: response header v0 + an int16 error code
  const w = new Writer(8);
  w.int32(h.correlationId).int16(code);
  return frameChunks(w.chunksOut());
}

export class KafkaTestServer {
  readonly core: BrokerCore;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(opts: BrokerOptions = {}) {
    this.core = new BrokerCore(opts);
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        const actual = typeof addr === 'object' && addr ? addr.port : port;
        this.core.port = actual;
        resolve(actual);
      });
    });
  }

  async close(): Promise<void> {
    this.core.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new FrameDecoder();
    const abort = new AbortController();
    const queue: Buffer[] = [];
    let busy = false;
    const clientHost = `/${socket.remoteAddress ?? 'unknown'}`;

    const pump = async () => {
      if (busy) return;
      busy = true;
      try {
        while (queue.length > 0 && !socket.destroyed) {
          const frame = queue.shift()!;
          if (socket.isPaused() && queue.length < MAX_QUEUED / 4) socket.resume();
          const out = await this.dispatch(frame, clientHost, abort.signal);
          if (!out || socket.destroyed) continue;
          socket.cork();
          for (const c of out) socket.write(c);
          socket.uncork();
          if (socket.writableLength > HIGH_WATER) await new Promise<void>((r) => (socket.writableLength > 0 && !socket.destroyed ? socket.once('drain', r).once('close', r) : r()));
        }
      } finally {
        busy = false;
      }
    };

    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.core.log(`closing connection from ${clientHost}: ${(err as Error).message}`);
        socket.destroy();
        return;
      }
      if (frames.length === 0) return;
      queue.push(...frames);
      if (queue.length >= MAX_QUEUED) socket.pause();
      void pump();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      abort.abort();
      this.sockets.delete(socket);
    });
  }

  /** Handles one request frame; returns the framed response, or null when none is due. */
  async dispatch(frame: Buffer, clientHost: string, abort: AbortSignal): Promise<Buffer[] | null> {
    let h: RequestHeader;
    try {
      h = parseRequestHeader(frame);
    } catch {
      if (frame.length < 8) return null; // not even a correlation id to answer to
      h = { apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2), correlationId: frame.readInt32BE(4), clientId: null, bodyOffset: 8 };
      return errorResponse(h, ErrorCode.INVALID_REQUEST);
    }
    const name = API_NAMES[h.apiKey] ?? `api${h.apiKey}`;
    const range = SUPPORTED_VERSIONS[h.apiKey];
    const handler = handlers[h.apiKey];
    const reqDef = requestDef(h.apiKey);
    if (!range || !handler || !reqDef || h.apiVersion < range[0] || h.apiVersion > range[1]) {
      this.core.log(`unsupported request ${name} v${h.apiVersion} (correlation ${h.correlationId})`);
      return errorResponse(h, ErrorCode.UNSUPPORTED_VERSION);
    }
    let req: Msg;
    try {
      req = decodeMessage(reqDef, h.apiVersion, frame, h.bodyOffset).msg;
    } catch (err) {
      this.core.log(`cannot decode ${name} v${h.apiVersion}: ${(err as Error).message}`);
      return errorResponse(h, ErrorCode.INVALID_REQUEST);
    }
    const ctx: RequestContext = { apiKey: h.apiKey, apiVersion: h.apiVersion, correlationId: h.correlationId, clientId: h.clientId, clientHost, abort };
    let body: Msg | null;
    try {
      body = await handler(this.core, req, ctx);
    } catch (err) {
      this.core.log(`${name} v${h.apiVersion} failed: ${(err as Error).stack ?? err}`);
      return errorResponse(h, err instanceof KafkaError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR);
    }
    if (body === null) return null;
    return encodeResponse(h.apiKey, h.apiVersion, h.correlationId, body);
  }
}
