import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, CURSOR_SECRET_MIN_LENGTH, type AppConfig } from './config';

/** The file in the data folder (GMA_DATA_DIR) that keeps a generated secret. */
export const CURSOR_SECRET_FILE = 'cursor-secret';

let testSecret: string | undefined;

const generate = () => randomBytes(32).toString('base64url');

/** The secret kept in `dataDir`, made on first use; shared by every process using that folder. */
function secretInDataFolder(dataDir: string): string {
  const file = path.join(dataDir, CURSOR_SECRET_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    // wx: two processes starting at once both end up with the first one's.
    fs.writeFileSync(file, `${generate()}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const secret = fs.readFileSync(file, 'utf8').trim();
  if (secret.length < CURSOR_SECRET_MIN_LENGTH) {
    throw new ConfigError(
      'CURSOR_SECRET',
      `is not set and ${file} holds no valid secret (under ${CURSOR_SECRET_MIN_LENGTH} characters); delete the file to generate a new one (cursors given out so far stop working), or set CURSOR_SECRET`,
    );
  }
  return secret;
}

/**
 * The key of the history cursors' signatures: CURSOR_SECRET when set.
 * Otherwise, with the embedded database or in development, a secret
 * generated once and kept in the data folder, so cursors survive a restart;
 * in tests, one per process. In production with DATABASE_URL it must be
 * set: instances behind one database must sign alike, and a data folder is
 * not shared between them.
 */
export function cursorSecretOf(config: AppConfig): string {
  if (config.cursorSecret) return config.cursorSecret;
  if (config.nodeEnv === 'test') return (testSecret ??= generate());
  if (config.nodeEnv === 'production' && config.databaseUrl) {
    throw new ConfigError(
      'CURSOR_SECRET',
      'is required in production with DATABASE_URL: give every instance the same secret of at least 32 characters (e.g. from: openssl rand -base64 32)',
    );
  }
  return secretInDataFolder(config.dataDir);
}
