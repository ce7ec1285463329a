// The logging interface the engine and processors use. The server plugs pino in; tests use a silent one.
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export const silentLogger: Logger = {
  debug() {}, info() {}, warn() {}, error() {},
  child() { return silentLogger; },
};

/** Writes warnings and errors to stderr; used by the CLI when no structured logger is set up. */
export function consoleLogger(bindings: Record<string, unknown> = {}): Logger {
  const prefix = Object.values(bindings).join(' ');
  const write = (level: string) => (obj: object | string, msg?: string) => {
    const text = typeof obj === 'string' ? obj : msg ?? JSON.stringify(obj);
    process.stderr.write(`${level} ${prefix ? `[${prefix}] ` : ''}${text}\n`);
  };
  return { debug() {}, info() {}, warn: write('WARN'), error: write('ERROR'), child: (b) => consoleLogger({ ...bindings, ...b }) };
}
