import { spawn, type ChildProcess } from 'node:child_process';

export { freePort } from '../../src/cli/support/free-port.js';

export interface AppProcess {
  proc: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
}

/** Starts `node dist/main.js` with the given environment (on top of the current one, without .env). */
export function startApp(env: Record<string, string>): AppProcess {
  const proc = spawn(process.execPath, ['dist/main.js'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { proc, output: () => out, exited };
}

/** Polls a URL until it answers with an expected status, or fails after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs = 30_000, okStatus = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.status === okStatus) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer ${okStatus} within ${timeoutMs} ms (last: ${last})`);
}
