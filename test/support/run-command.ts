import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../app/dev/project-root';

// Shared with the drill and the benchmarks.
export { PROJECT_ROOT };
export { startMigrator, type MigratorProcess } from '../../app/dev/migrator-process';

const BIN = path.join(PROJECT_ROOT, 'node_modules', '.bin');

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a real process in the project folder and collects its output. */
export function runCommand(
  command: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${command} ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `npx sequelize ...` on the given database. */
export function sequelizeCli(databaseUrl: string, ...args: string[]): Promise<CommandResult> {
  return runCommand(path.join(BIN, 'sequelize'), args, { DATABASE_URL: databaseUrl });
}

/**
 * One of the app's TypeScript commands (e.g. `app/cli/migrate.ts`) on the
 * given database: one node process with tsx's loader (the tsx command would
 * start a second process around it).
 */
export function appCommand(
  script: string,
  databaseUrl: string,
  ...args: string[]
): Promise<CommandResult> {
  return runCommand(process.execPath, ['--import', 'tsx', script, ...args], {
    DATABASE_URL: databaseUrl,
  });
}

/** Names listed as applied ("up") by `sequelize db:migrate:status`. */
export async function cliAppliedMigrations(databaseUrl: string): Promise<string[]> {
  const result = await sequelizeCli(databaseUrl, 'db:migrate:status');
  if (result.code !== 0) throw new Error(`db:migrate:status failed: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .map((line) => /^up\s+(\S+)/.exec(line.trim())?.[1])
    .filter((name): name is string => name !== undefined);
}
