// A small typed WebHDFS REST client on Node's own http/https modules (no dependency): the
// operations PutHDFS needs, with Hadoop's two-step CREATE/APPEND (the NameNode answers 307 with the
// DataNode's address; only then is the data sent, to the DataNode), NameNode fail-over for HA
// pairs (StandbyException or no connection → the next URL), and connect and read timeouts.
// Simple authentication: every request carries user.name.
import http from 'node:http';
import https from 'node:https';
import { errorFromResponse, networkError, WebHdfsError, type WebHdfsStage } from './errors.ts';

export const WEBHDFS_PREFIX = '/webhdfs/v1';

export interface WebHdfsClientOptions {
  /** NameNode HTTP base URLs, e.g. http://namenode:9870 (several for an HA pair). */
  namenodes: string[];
  /** user.name for simple authentication; omitted when empty. */
  user?: string;
  connectTimeoutMs?: number;
  readTimeoutMs?: number;
}

export interface FileStatus {
  type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  length: number;
  owner: string;
  group: string;
  permission: string;
  replication: number;
  blockSize: number;
  modificationTime: number;
  pathSuffix: string;
}

export interface CreateOptions {
  overwrite?: boolean;
  /** Octal permission of the new file, e.g. 0o644. */
  permission?: number;
  replication?: number;
  blockSize?: number;
  bufferSize?: number;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

type Params = Record<string, string | number | boolean | undefined>;

/** "/a b/c" → "/a%20b/c" (each segment encoded, slashes kept). */
export function encodeHdfsPath(path: string): string {
  return '/' + path.split('/').filter(Boolean).map(encodeURIComponent).join('/');
}

export class WebHdfsClient {
  private readonly namenodes: URL[];
  /** Index of the NameNode that answered last (the active one of an HA pair). */
  private active = 0;
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });
  readonly user: string | undefined;
  private readonly connectTimeoutMs: number;
  private readonly readTimeoutMs: number;

  constructor(opts: WebHdfsClientOptions) {
    if (opts.namenodes.length === 0) throw new Error('WebHDFS needs at least one NameNode URL');
    this.namenodes = opts.namenodes.map((u) => new URL(u.replace(/\/+$/, '')));
    this.user = opts.user || undefined;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
    this.readTimeoutMs = opts.readTimeoutMs ?? 60_000;
  }

  /** The NameNode currently in use, e.g. http://namenode:9870. */
  get namenodeUrl(): string {
    return this.namenodes[this.active].origin;
  }

  // ---- metadata operations (NameNode only) ----

  /** GETFILESTATUS; null when the path does not exist. */
  async getFileStatus(path: string): Promise<FileStatus | null> {
    const res = await this.namenode('GET', path, 'GETFILESTATUS', {}, [404]);
    if (res.status === 404) return null;
    return (JSON.parse(res.body.toString()) as { FileStatus: FileStatus }).FileStatus;
  }

  async listStatus(path: string): Promise<FileStatus[]> {
    const res = await this.namenode('GET', path, 'LISTSTATUS');
    return (JSON.parse(res.body.toString()) as { FileStatuses: { FileStatus: FileStatus[] } }).FileStatuses.FileStatus;
  }

  /** MKDIRS (mkdir -p); true when the directory exists afterwards. */
  async mkdirs(path: string, permission?: number): Promise<boolean> {
    const res = await this.namenode('PUT', path, 'MKDIRS', { permission: permission?.toString(8) });
    return booleanOf(res);
  }

  /** RENAME. HDFS answers {"boolean": false} (with 200) when it did not rename: the caller must check. */
  async rename(src: string, dst: string): Promise<boolean> {
    const res = await this.namenode('PUT', src, 'RENAME', { destination: '/' + dst.split('/').filter(Boolean).join('/') });
    return booleanOf(res);
  }

  async delete(path: string, recursive = false): Promise<boolean> {
    const res = await this.namenode('DELETE', path, 'DELETE', { recursive });
    return booleanOf(res);
  }

  async setOwner(path: string, owner?: string, group?: string): Promise<void> {
    await this.namenode('PUT', path, 'SETOWNER', { owner, group });
  }

  async setPermission(path: string, permission: number): Promise<void> {
    await this.namenode('PUT', path, 'SETPERMISSION', { permission: permission.toString(8) });
  }

  // ---- data operations (NameNode redirect, then DataNode) ----

  /** CREATE in two steps; returns the DataNode's Location answer (the file's hdfs:// or webhdfs:// URI), if any. */
  async create(path: string, data: Buffer, opts: CreateOptions = {}): Promise<string | undefined> {
    const location = await this.redirect('PUT', path, 'CREATE', {
      overwrite: opts.overwrite ?? false,
      permission: opts.permission?.toString(8),
      replication: opts.replication,
      blocksize: opts.blockSize,
      buffersize: opts.bufferSize,
    });
    const res = await this.datanode('PUT', location, 'CREATE', path, data);
    const loc = res.headers.location;
    return typeof loc === 'string' && loc ? loc : undefined;
  }

  /** APPEND in two steps. */
  async append(path: string, data: Buffer, bufferSize?: number): Promise<void> {
    const location = await this.redirect('POST', path, 'APPEND', { buffersize: bufferSize });
    await this.datanode('POST', location, 'APPEND', path, data);
  }

  /** OPEN: the whole file. */
  async read(path: string): Promise<Buffer> {
    const location = await this.redirect('GET', path, 'OPEN', {});
    const res = await this.datanode('GET', location, 'OPEN', path);
    return res.body;
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  // ---- plumbing ----

  private url(base: URL, path: string, op: string, params: Params): URL {
    const u = new URL(WEBHDFS_PREFIX + encodeHdfsPath(path), base);
    u.searchParams.set('op', op);
    if (this.user) u.searchParams.set('user.name', this.user);
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    return u;
  }

  /** The first step of CREATE/APPEND/OPEN: the NameNode's 307 (or, with noredirect, its JSON) names the DataNode URL. */
  private async redirect(method: string, path: string, op: string, params: Params): Promise<URL> {
    const res = await this.namenode(method, path, op, params, [307, 302, 303]);
    let location = res.headers.location;
    if (!location && res.status === 200) {
      try { location = (JSON.parse(res.body.toString()) as { Location?: string }).Location; } catch { /* below */ }
    }
    if (!location) throw new WebHdfsError(`${op} ${path}: the NameNode answered ${res.status} without a DataNode location`, 'namenode', op, res.status);
    return new URL(location, this.namenodes[this.active]);
  }

  /** A NameNode request, failing over to the next NameNode on a standby answer or no connection. */
  private async namenode(method: string, path: string, op: string, params: Params = {}, accept: number[] = []): Promise<RawResponse> {
    let lastError: WebHdfsError | undefined;
    for (let tries = 0; tries < this.namenodes.length; tries++) {
      const idx = (this.active + tries) % this.namenodes.length;
      const url = this.url(this.namenodes[idx], path, op, params);
      let res: RawResponse;
      try {
        res = await this.send(method, url, 'namenode', op, path);
      } catch (e) {
        lastError = networkError('namenode', op, path, e);
        if (lastError.code === 'ETIMEDOUT_READ') throw lastError; // the request may have been applied: do not send it elsewhere
        continue;
      }
      if ((res.status >= 200 && res.status < 300) || accept.includes(res.status)) {
        this.active = idx;
        return res;
      }
      const err = errorFromResponse('namenode', op, path, res.status, res.body);
      if (err.isStandby && this.namenodes.length > 1) { lastError = err; continue; }
      throw err;
    }
    throw lastError ?? new WebHdfsError(`${op} ${path}: no NameNode answered`, 'namenode', op);
  }

  private async datanode(method: string, url: URL, op: string, path: string, body?: Buffer): Promise<RawResponse> {
    let res: RawResponse;
    try {
      res = await this.send(method, url, 'datanode', op, path, body);
    } catch (e) {
      throw networkError('datanode', op, path, e);
    }
    if (res.status >= 200 && res.status < 300) return res;
    throw errorFromResponse('datanode', op, path, res.status, res.body);
  }

  private send(method: string, url: URL, stage: WebHdfsStage, op: string, path: string, body?: Buffer): Promise<RawResponse> {
    const secure = url.protocol === 'https:';
    const mod = secure ? https : http;
    return new Promise<RawResponse>((resolve, reject) => {
      let settled = false;
      const fail = (e: Error) => { if (!settled) { settled = true; reject(e); } };
      const headers: http.OutgoingHttpHeaders = {};
      if (body !== undefined) {
        headers['content-type'] = 'application/octet-stream';
        headers['content-length'] = body.length;
      } else if (method === 'PUT' || method === 'POST') {
        headers['content-length'] = 0;
      }
      const req = mod.request(url, { method, headers, agent: secure ? this.httpsAgent : this.httpAgent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(connectTimer);
          if (settled) return;
          settled = true;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) });
        });
        res.on('error', (e) => fail(e));
      });
      const connectTimer = setTimeout(() => {
        const e = Object.assign(new Error(`connecting to ${url.host} timed out after ${this.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' });
        req.destroy(e);
      }, this.connectTimeoutMs);
      req.on('socket', (socket) => {
        if (!socket.connecting) clearTimeout(connectTimer);
        else socket.once('connect', () => clearTimeout(connectTimer));
      });
      req.setTimeout(this.readTimeoutMs, () => {
        const e = Object.assign(new Error(`no answer from the ${stage} within ${this.readTimeoutMs} ms (${op} ${path})`), { code: 'ETIMEDOUT_READ' });
        req.destroy(e);
      });
      req.on('error', (e) => { clearTimeout(connectTimer); fail(e); });
      if (body !== undefined && body.length > 0) req.end(body);
      else req.end();
    });
  }
}

function booleanOf(res: RawResponse): boolean {
  try {
    return (JSON.parse(res.body.toString()) as { boolean?: boolean }).boolean === true;
  } catch {
    return false;
  }
}
