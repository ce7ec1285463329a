// Minimal protocol-level client built on the same schema codec, for tests that need exact
// control over requests (specific versions, malformed frames, acks=0, raw batches).
import { connect, type Socket } from 'node:net';
import { ApiKey } from './protocol/api-keys.ts';
import { Reader, Writer } from './protocol/codec.ts';
import { FrameDecoder, frameChunks } from './protocol/framing.ts';
import { decodeMessage, encodeMessage, hasVersion, isFlexible, readTaggedFields, requestDef, responseDef, type Msg } from './protocol/messages.ts';

export class RawKafkaClient {
  private nextCorrelation = 1;
  private readonly pending = new Map<number, { resolve: (frame: Buffer) => void; reject: (err: Error) => void }>();
  private readonly decoder = new FrameDecoder();
  private closedError: Error | null = null;

  private constructor(
    private readonly socket: Socket,
    readonly clientId: string,
  ) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) {
        const corr = frame.readInt32BE(0);
        const p = this.pending.get(corr);
        this.pending.delete(corr);
        p?.resolve(frame);
      }
    });
    const fail = (err: Error) => {
      this.closedError = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static connect(hostPort: string, clientId = 'raw-client'): Promise<RawKafkaClient> {
    const i = hostPort.lastIndexOf(':');
    return new Promise((resolve, reject) => {
      const s = connect(Number(hostPort.slice(i + 1)), hostPort.slice(0, i), () => {
        s.off('error', reject);
        resolve(new RawKafkaClient(s, clientId));
      });
      s.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  /** Sends a frame payload (without size prefix); resolves with the response frame for `correlationId`. */
  sendFrame(payload: Buffer, correlationId: number, expectResponse = true): Promise<Buffer | null> {
    if (this.closedError) return Promise.reject(this.closedError);
    const p = expectResponse ? new Promise<Buffer>((resolve, reject) => this.pending.set(correlationId, { resolve, reject })) : Promise.resolve(null);
    for (const c of frameChunks([payload])) this.socket.write(c);
    return p;
  }

  /** Encodes a request header (v1, or v2 for flexible versions) followed by `body`. */
  encodeRequest(apiKey: number, version: number, body: Msg, correlationId: number): Buffer {
    const w = new Writer(256);
    w.int16(apiKey).int16(version).int32(correlationId).string(this.clientId, false, true);
    const def = requestDef(apiKey);
    if (hasVersion(def, version) && isFlexible(def, version)) w.uvarint(0);
    if (def) encodeMessage(def, version, body, w);
    return w.toBuffer();
  }

  /** Sends a request and decodes the response (null when expectResponse is false). */
  async request(apiKey: number, version: number, body: Msg = {}, expectResponse = true): Promise<Msg> {
    const corr = this.nextCorrelation++;
    const frame = await this.sendFrame(this.encodeRequest(apiKey, version, body, corr), corr, expectResponse);
    if (!frame) return {};
    return decodeResponse(apiKey, version, frame);
  }

  nextCorrelationId(): number {
    return this.nextCorrelation++;
  }

  close(): void {
    this.socket.destroy();
  }
}

export function decodeResponse(apiKey: number, version: number, frame: Buffer): Msg {
  const def = responseDef(apiKey);
  if (!def) throw new Error(`no response definition for api ${apiKey}`);
  const r = new Reader(frame, 4);
  if (apiKey !== ApiKey.ApiVersions && isFlexible(def, version)) readTaggedFields(r, [], null);
  return decodeMessage(def, version, frame, r.pos).msg;
}
