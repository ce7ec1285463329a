// pino behind the engine's Logger interface: pretty output on a TTY, JSON lines otherwise.
// Token-like fields are redacted; flow definitions and property values are never logged.
import { pino, type Logger as Pino } from 'pino';
import PinoPretty from 'pino-pretty';
import type { Logger } from '../engine/logger.ts';

export const MASK = '********';

const REDACT = [
  'token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'password', '*.password', 'secret', '*.secret',
];

export function createPino(level: string, pretty = process.stdout.isTTY === true): Pino {
  const options = { level, base: { name: 'sluice' }, redact: { paths: REDACT, censor: MASK } };
  if (pretty) return pino(options, PinoPretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name', sync: true }));
  return pino(options);
}

/** Adapts pino (or anything shaped like it) to the engine's Logger. */
export function adaptPino(p: Pino): Logger {
  const call = (level: 'debug' | 'info' | 'warn' | 'error') => (obj: object | string, msg?: string) => {
    if (typeof obj === 'string') p[level](obj);
    else if (msg !== undefined) p[level](obj, msg);
    else p[level](obj);
  };
  return {
    debug: call('debug'), info: call('info'), warn: call('warn'), error: call('error'),
    child: (bindings) => adaptPino(p.child(bindings)),
  };
}
