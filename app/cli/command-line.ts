import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { UsageError } from './run-main';
import { openDatabase, redactUrl, type Database } from '../db/database';
import { initModels } from '../../models';

type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>;
type Values<O extends Options> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

/**
 * Parses argv with node's parseArgs; `--help` prints `help` and exits 0,
 * an unknown option or stray argument is a UsageError.
 */
export function parseCommandLine<O extends Options>(
  argv: string[],
  options: O,
  help: string,
): Values<O> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    console.log(help.trim());
    process.exit(0);
  }
  return values as Values<O>;
}

/**
 * Opens the database the operator commands use (MIGRATION_DATABASE_URL, else
 * DATABASE_URL, else the embedded one, started if needed), binds the models to
 * it, runs `fn`, closes it.
 */
export async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadConfig(), 'migrations');
  initModels(db.sequelize);
  console.error(`Database: ${redactUrl(db.url)}${db.embedded ? ' (embedded)' : ''}`);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Progress lines go to stderr, so stdout carries only results. */
export const progress = (line: string): void => console.error(line);
