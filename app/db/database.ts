import type { Sequelize } from 'sequelize';
import type { AppConfig } from '../config';
import { initModels } from '../../models';
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
 * Connects to DATABASE_URL, or starts (or reuses) the embedded PostgreSQL
 * under the data folder, binds the models and checks the connection.
 */
export async function openDatabase(config: AppConfig): Promise<Database> {
  const embedded = config.databaseUrl
    ? undefined
    : await EmbeddedPostgres.start({ dataDir: config.dataDir, database: EMBEDDED_DATABASE });
  const url = config.databaseUrl ?? embedded!.url;
  const sequelize = createSequelize(url);
  initModels(sequelize);
  try {
    await sequelize.authenticate();
  } catch (error) {
    await sequelize.close();
    await embedded?.stop();
    throw new DatabaseUnreachableError(
      `Cannot connect to PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}. ` +
        'Check that the server is running and DATABASE_URL is right.',
    );
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
