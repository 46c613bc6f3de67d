import { spawn, type ChildProcess } from 'node:child_process';
import { PROJECT_ROOT } from './project-root';

/** A running migrator process, with its exit code and what it printed to stderr so far. */
export type MigratorProcess = ChildProcess & {
  exited: Promise<number | null>;
  stderr: () => string;
};

/**
 * The app's migrate command as one real node process (no tsx wrapper process
 * in between, so a signal reaches the migrator itself), with extra
 * environment such as the backfill batch tuning. `onStderr` sees each chunk
 * as it arrives (e.g. to timestamp the runner's step lines).
 */
export function startMigrator(
  databaseUrl: string,
  env: Record<string, string> = {},
  onStderr?: (chunk: string) => void,
): MigratorProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/cli/migrate.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    onStderr?.(chunk.toString());
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return Object.assign(child, { exited, stderr: () => stderr });
}
