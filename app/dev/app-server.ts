import { spawn } from 'node:child_process';
import { freePort } from '../db/embedded-postgres';
import { PROJECT_ROOT } from './project-root';

/** A real `app/server.ts` process on a real port. */
export interface AppServerProcess {
  readonly pid: number;
  readonly port: number;
  readonly base: string;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  /** Resolves once /health answers, or rejects when the process exits first. */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGTERM, then waits for the exit (SIGKILL after 10 s: a stuck server must not hang a hook). */
  stop(): Promise<void>;
}

/**
 * Starts the server (one node process, no wrapper) with the given environment,
 * from the project or from `root`, another checkout of it (an older version).
 */
export async function startAppServer(
  env: Record<string, string | undefined>,
  root = PROJECT_ROOT,
): Promise<AppServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/server.ts'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const base = `http://127.0.0.1:${port}`;
  return {
    pid: child.pid!,
    port,
    base,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (child.exitCode !== null) {
          throw new Error(`server exited (${child.exitCode}) before it was ready: ${stderr}`);
        }
        const ok = await fetch(`${base}/health`).then(
          (res) => res.ok,
          () => false,
        );
        if (ok) return;
        if (Date.now() > deadline)
          throw new Error(`server not ready in ${timeoutMs} ms: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
