import { OperatorError } from '../operator-error';
import type { Migrator } from './migrator';

/** What a migrate or rollback is asked to do. */
export type MigrationRequest =
  | { readonly direction: 'up'; readonly to?: string | undefined }
  | {
      readonly direction: 'down';
      readonly to?: string | undefined;
      readonly step?: number | undefined;
    };

/** The history as the runner sees it, and the migrations a request runs. */
export interface MigrationSelection {
  readonly executed: string[];
  readonly pending: string[];
  /** The migrations the request runs, in the order it runs them. */
  readonly names: string[];
}

/** A `--to` name that is not in the history, or not in the state the command needs. */
export class UnknownMigrationError extends OperatorError {
  override readonly name = 'UnknownMigrationError';
}

function stripExtension(name: string): string {
  return name.replace(/\.[cm]?[jt]s$/, '');
}

/**
 * Finds the migration `input` names among `names`: the exact file name, or
 * the file name without its extension. Anything else is an error that says
 * what exists, so a typo never turns into "revert everything".
 */
export function resolveMigrationName(input: string, names: string[], what: string): string {
  const found = names.find((name) => name === input || stripExtension(name) === input);
  if (found) return found;
  const similar = names.filter((name) => name.includes(input)).slice(0, 5);
  const hint = similar.length
    ? ` Did you mean: ${similar.join(', ')}?`
    : names.length
      ? ` ${what} are: ${names.slice(-5).join(', ')}${names.length > 5 ? ' (last 5 shown)' : ''}.`
      : ` There are no ${what.toLowerCase()}.`;
  throw new UnknownMigrationError(
    `No migration named "${input}" among the ${what.toLowerCase()}.${hint}`,
  );
}

/** Applied and pending migrations, read through the migrator's storage. */
export async function readHistory(
  migrator: Migrator,
): Promise<{ executed: string[]; pending: string[] }> {
  // One after the other: on a new database both may create the history
  // table, and two concurrent CREATE TABLE IF NOT EXISTS can collide.
  const executed = (await migrator.executed()).map((m) => m.name);
  const pending = (await migrator.pending()).map((m) => m.name);
  return { executed, pending };
}

/**
 * The one selection of migrations, shared by the runner, db:plan, db:verify
 * and the rollback plan, so a plan lists exactly what the command runs.
 * Up: the pending ones, up to and including `to` (nothing if `to` is
 * already applied). Down: with `to`, every migration applied after it and
 * `to` itself (inclusive, as sequelize-cli's `undo:all --to`); with `step`,
 * the last N; with neither, the last one; newest first.
 */
export async function selectMigrations(
  migrator: Migrator,
  request: MigrationRequest,
): Promise<MigrationSelection> {
  const { executed, pending } = await readHistory(migrator);
  return { executed, pending, names: select(request, executed, pending) };
}

function select(request: MigrationRequest, executed: string[], pending: string[]): string[] {
  if (request.direction === 'up') {
    if (request.to === undefined) return pending;
    if (executed.some((n) => n === request.to || stripExtension(n) === request.to)) return [];
    const to = resolveMigrationName(request.to, pending, 'Pending migrations');
    return pending.slice(0, pending.indexOf(to) + 1);
  }
  if (request.to !== undefined) {
    const to = resolveMigrationName(request.to, executed, 'Applied migrations');
    return executed.slice(executed.indexOf(to)).reverse();
  }
  return executed.slice(-(request.step ?? 1)).reverse();
}
