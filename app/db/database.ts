import type { Sequelize } from 'sequelize';
import type { AppConfig } from '../config';
import { EmbeddedPostgres } from './embedded-postgres';
import { createSequelize } from './sequelize';
import { OperatorError } from '../operator-error';

/** An open connection to the app's database, and the embedded server behind it if any. */
export interface Database {
  readonly url: string;
  readonly sequelize: Sequelize;
  /** True when this process runs the embedded PostgreSQL. */
  readonly embedded: boolean;
  close(): Promise<void>;
}

/** The database could not be reached; the message says what to check. */
export class DatabaseUnreachableError extends OperatorError {
  override readonly name = 'DatabaseUnreachableError';
}

/** Name of the database inside the embedded cluster. */
export const EMBEDDED_DATABASE = 'gma';

/**
 * What the connection is for: `app` serves requests (DATABASE_URL, may be a
 * transaction pooler); `migrations` migrates and runs operator commands
 * (MIGRATION_DATABASE_URL when set: a direct connection).
 */
export type DatabasePurpose = 'app' | 'migrations';

/** The configured URL for `purpose` and the variable it came from; undefined: the embedded server. */
export function configuredUrl(
  config: AppConfig,
  purpose: DatabasePurpose,
): { url: string; variable: string } | undefined {
  if (purpose === 'migrations' && config.migrationDatabaseUrl) {
    return { url: config.migrationDatabaseUrl, variable: 'MIGRATION_DATABASE_URL' };
  }
  return config.databaseUrl ? { url: config.databaseUrl, variable: 'DATABASE_URL' } : undefined;
}

/**
 * Connects to the URL configured for `purpose`, or starts (or reuses) the
 * embedded PostgreSQL under the data folder, and checks the connection. The
 * models are bound by the caller (`initModels`): app/db sits below them.
 */
export async function openDatabase(
  config: AppConfig,
  purpose: DatabasePurpose = 'app',
): Promise<Database> {
  const configured = configuredUrl(config, purpose);
  const embedded = configured
    ? undefined
    : await EmbeddedPostgres.start({ dataDir: config.dataDir, database: EMBEDDED_DATABASE });
  const url = configured?.url ?? embedded!.url;
  const sequelize = createSequelize(url);
  try {
    await checkConnection(sequelize, url, configured?.variable ?? 'DATABASE_URL');
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  return {
    url,
    sequelize,
    embedded: embedded !== undefined,
    async close() {
      await sequelize.close();
      await embedded?.stop();
    },
  };
}

/**
 * A Sequelize instance for migrations only, models left unbound (the app's
 * models stay on the app's connection). Checked like openDatabase.
 */
export async function openMigrationSequelize(url: string, variable: string): Promise<Sequelize> {
  const sequelize = createSequelize(url);
  await checkConnection(sequelize, url, variable);
  return sequelize;
}

async function checkConnection(sequelize: Sequelize, url: string, variable: string): Promise<void> {
  try {
    await sequelize.authenticate();
  } catch (error) {
    await sequelize.close();
    throw new DatabaseUnreachableError(
      `Cannot connect to PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}. ` +
        `Check that the server is running and ${variable} is right.`,
    );
  }
}

/** The URL with its password hidden, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
