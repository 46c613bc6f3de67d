import { AsyncLocalStorage } from 'node:async_hooks';

/** Where a migration step's progress lines go. */
export type MigrationLog = (line: string) => void;

const current = new AsyncLocalStorage<MigrationLog>();
const toStderr: MigrationLog = (line) => process.stderr.write(`${line}\n`);

/**
 * Runs `fn` (a migration run) with its progress going to `log`: the runner
 * passes its logger, so the server's log gets the lines a command prints.
 */
export function withMigrationLog<T>(log: MigrationLog, fn: () => Promise<T>): Promise<T> {
  return current.run(log, fn);
}

/** Reports one progress line of the running migration; stderr outside a run (sequelize-cli). */
export function migrationLog(line: string): void {
  (current.getStore() ?? toStderr)(line);
}
