// Access token, Host/Origin checks (CSRF and DNS rebinding) and response hardening.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { atomicWrite } from '../manager/flow-store.ts';

export const TOKEN_FILE = 'token';

/** The token from settings, else the one stored in the data dir, else a new one written there with mode 0600. */
export function loadOrCreateToken(dataDir: string, explicit: string | undefined): { token: string; generated: boolean } {
  if (explicit) return { token: explicit, generated: false };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, TOKEN_FILE);
  if (existsSync(path)) {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored.length >= 16) {
      try { chmodSync(path, 0o600); } catch { /* best effort */ }
      return { token: stored, generated: false };
    }
  }
  const token = randomBytes(32).toString('base64url');
  atomicWrite(path, `${token}\n`, 0o600);
  return { token, generated: true };
}

/** Compares a presented token with the expected one in constant time (both hashed to equal length first). */
export class TokenCheck {
  private readonly expected: Buffer;
  constructor(token: string) { this.expected = sha256(token); }
  matches(presented: unknown): boolean {
    if (typeof presented !== 'string' || presented.length === 0 || presented.length > 1024) return false;
    return timingSafeEqual(sha256(presented), this.expected);
  }
}

function sha256(s: string): Buffer { return createHash('sha256').update(s, 'utf8').digest(); }

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

/** Which Host header names this server answers to. */
export class HostPolicy {
  private readonly names: Set<string>;
  private readonly anyIp: boolean;

  constructor(bindHost: string, extra: readonly string[]) {
    const host = bindHost.toLowerCase().replace(/^\[|\]$/g, '');
    this.anyIp = host === '0.0.0.0' || host === '::';
    this.names = new Set(['localhost', '127.0.0.1', '::1', ...extra.map((h) => h.toLowerCase())]);
    if (!this.anyIp) this.names.add(host);
  }

  /** The host name of a Host header value ("[::1]:8080" → "::1"), or undefined when malformed. */
  static hostname(hostHeader: string): string | undefined {
    const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]\s/@]+))(?::(\d{1,5}))?$/i.exec(hostHeader.trim());
    if (!m) return undefined;
    return (m[1] ?? m[2]).toLowerCase().replace(/\.$/, '');
  }

  hostAllowed(hostHeader: string | undefined): boolean {
    if (!hostHeader) return false;
    const name = HostPolicy.hostname(hostHeader);
    if (name === undefined) return false;
    if (this.names.has(name)) return true;
    // A literal IP can't be the product of DNS rebinding; accept it when bound to every interface.
    return this.anyIp && isIP(name) !== 0;
  }

  /** Same-origin check: no Origin (curl, same-origin GET) is fine; otherwise it must name this very host. */
  originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
    if (origin === undefined) return true;
    if (!hostHeader) return false;
    let url: URL;
    try { url = new URL(origin); } catch { return false; }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    return url.host.toLowerCase() === hostHeader.trim().toLowerCase();
  }

  /** Why a request must be rejected, or undefined. */
  reject(req: Pick<IncomingMessage, 'headers'>): string | undefined {
    const host = req.headers.host;
    if (!this.hostAllowed(host)) {
      return `The Host header ${JSON.stringify(host ?? '')} is not one this server answers to (DNS rebinding protection); add the name to SLUICE_ALLOWED_HOSTS to allow it.`;
    }
    const origin = req.headers.origin;
    if (!this.originAllowed(origin, host)) {
      return `Cross-origin requests are not allowed: Origin ${JSON.stringify(origin)} is not this server.`;
    }
    return undefined;
  }
}

export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
