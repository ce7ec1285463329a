// Starts a test server script as a child process and waits for the line that says it is listening.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface ListeningChild {
  child: ChildProcess;
  /** The `listening` line's match against the given pattern. */
  match: RegExpExecArray;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
}

export function spawnUntilListening(name: string, script: string, args: readonly string[], pattern: RegExp, timeoutMs = 20_000): Promise<ListeningChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs} ms\n${out}${err}`));
    }, timeoutMs);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = pattern.exec(out);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        child,
        match,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before listening\n${out}${err}`));
    });
  });
}
