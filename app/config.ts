import os from 'node:os';
import path from 'node:path';
import { INSTALL_ROOT } from './build-layout';
import { ConfigError, integer } from './config-error';

/** The process's settings, parsed once from the environment. */
export interface AppConfig {
  readonly nodeEnv: 'development' | 'test' | 'production';
  readonly host: string;
  readonly port: number;
  /** Undefined means: run the embedded PostgreSQL under `dataDir`. */
  readonly databaseUrl: string | undefined;
  /**
   * A direct connection (no transaction pooler) for migrations and operator
   * commands; undefined means: the same as databaseUrl.
   */
  readonly migrationDatabaseUrl: string | undefined;
  readonly dataDir: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly migrateOnStart: boolean;
  /** scrypt cost as log2(N) for new password hashes; see PASSWORD_SCRYPT_LOG_N. */
  readonly passwordScryptLogN: number;
  /** How long a bearer token from /api/auth/login stays valid. */
  readonly authTokenTtlHours: number;
  /** Reverse proxies in front of the app whose X-Forwarded-For is trusted (0: none). */
  readonly trustProxyHops: number;
  /** Login and registration limits, shared by every instance through PostgreSQL. */
  readonly limits: AuthLimits;
  /** How long a campaign invitation can be accepted. */
  readonly invitationTtlDays: number;
  /**
   * After SIGTERM/SIGINT, how long readiness fails while requests are still
   * served, before the server stops accepting connections (SHUTDOWN_DELAY_MS).
   */
  readonly shutdownDelayMs: number;
  /**
   * The key history cursors are signed with (CURSOR_SECRET); undefined: one
   * is generated (app/cursor-secret.ts says where it is kept).
   */
  readonly cursorSecret: string | undefined;
  /**
   * HTTP worker processes (WEB_CONCURRENCY): one per available core in
   * production, 1 elsewhere. With 1 the server is a single process; with more,
   * a primary process forks and supervises the workers (docs/deploy.md).
   */
  readonly webConcurrency: number;
}

/** Attempts allowed per window before 429; see docs/api.md, "Limits". */
export interface AuthLimits {
  /** Failed logins allowed per username (from one address) in a window. */
  readonly loginFailuresPerAccount: number;
  /** Failed logins allowed per address, all usernames together, in a window. */
  readonly loginFailuresPerAddress: number;
  readonly loginWindowSeconds: number;
  /** Registrations allowed per address in a window (each costs a scrypt hash). */
  readonly registrationsPerAddress: number;
  readonly registrationWindowSeconds: number;
}

export { ConfigError } from './config-error';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const NODE_ENVS = ['development', 'test', 'production'] as const;

type Env = Record<string, string | undefined>;

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
}

function port(env: Env, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) {
    throw new ConfigError(name, `must be a port number from 0 to 65535 (got "${value}")`);
  }
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (['1', 'true', 'yes'].includes(value.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(value.toLowerCase())) return false;
  throw new ConfigError(name, `must be true or false (got "${value}")`);
}

/**
 * scrypt cost floor outside tests: N = 2^14 with r = 8 (the scrypt paper's
 * interactive-login setting). Tests may go lower to stay fast.
 */
export const SCRYPT_LOG_N_FLOOR = 14;
const SCRYPT_LOG_N_DEFAULT = 15;
const SCRYPT_LOG_N_TEST_DEFAULT = 10;

/** SHUTDOWN_DELAY_MS when NODE_ENV=production and the variable is unset. */
export const SHUTDOWN_DELAY_PRODUCTION_MS = 5_000;

/** Most HTTP workers WEB_CONCURRENCY may ask for. */
export const WEB_CONCURRENCY_MAX = 256;

/** Shortest CURSOR_SECRET accepted: 32 characters (e.g. `openssl rand -base64 32` gives 44). */
export const CURSOR_SECRET_MIN_LENGTH = 32;

function cursorSecret(env: Env): string | undefined {
  const value = env.CURSOR_SECRET;
  if (value === undefined || value === '') return undefined;
  if (value.length < CURSOR_SECRET_MIN_LENGTH) {
    throw new ConfigError(
      'CURSOR_SECRET',
      `must be at least ${CURSOR_SECRET_MIN_LENGTH} characters (got ${value.length}); generate one with: openssl rand -base64 32`,
    );
  }
  return value;
}

/** Checks that a DATABASE_URL names a PostgreSQL database; returns it unchanged. */
export function validateDatabaseUrl(value: string, name = 'DATABASE_URL'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      name,
      'is not a valid URL; expected postgres://user:password@host:5432/database',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, `must start with postgres:// (got "${url.protocol}//")`);
  }
  if (!url.hostname) throw new ConfigError(name, 'has no host name');
  if (url.pathname.length <= 1) throw new ConfigError(name, 'names no database (add /name)');
  return value;
}

/** Parses the environment into a frozen config; throws ConfigError naming the bad variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const databaseUrl = env.DATABASE_URL ? validateDatabaseUrl(env.DATABASE_URL) : undefined;
  const migrationDatabaseUrl = env.MIGRATION_DATABASE_URL
    ? validateDatabaseUrl(env.MIGRATION_DATABASE_URL, 'MIGRATION_DATABASE_URL')
    : undefined;
  // Without DATABASE_URL the app runs the embedded server: migrating another
  // database than the one it serves would be a silent mistake.
  if (migrationDatabaseUrl && !databaseUrl) {
    throw new ConfigError(
      'MIGRATION_DATABASE_URL',
      'is set but DATABASE_URL is not; set DATABASE_URL to the same database (through the pooler)',
    );
  }
  const nodeEnv = oneOf(env, 'NODE_ENV', NODE_ENVS, 'development');
  const isTest = nodeEnv === 'test';
  return Object.freeze({
    nodeEnv,
    host: env.HOST || '127.0.0.1',
    port: port(env, 'PORT', 3000),
    databaseUrl,
    migrationDatabaseUrl,
    dataDir: path.resolve(INSTALL_ROOT, env.GMA_DATA_DIR || '.data'),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, env.NODE_ENV === 'test' ? 'silent' : 'info'),
    migrateOnStart: bool(env, 'MIGRATE_ON_START', true),
    passwordScryptLogN: integer(
      env,
      'PASSWORD_SCRYPT_LOG_N',
      isTest ? SCRYPT_LOG_N_TEST_DEFAULT : SCRYPT_LOG_N_DEFAULT,
      isTest ? 1 : SCRYPT_LOG_N_FLOOR,
      20,
    ),
    authTokenTtlHours: integer(env, 'AUTH_TOKEN_TTL_HOURS', 24, 1, 24 * 90),
    trustProxyHops: integer(env, 'TRUST_PROXY_HOPS', 0, 0, 10),
    limits: Object.freeze({
      loginFailuresPerAccount: integer(env, 'LOGIN_MAX_FAILURES_PER_ACCOUNT', 5, 1, 1000),
      loginFailuresPerAddress: integer(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 50, 1, 100_000),
      loginWindowSeconds: integer(env, 'LOGIN_WINDOW_SECONDS', 15 * 60, 1, 7 * 86_400),
      registrationsPerAddress: integer(env, 'REGISTER_MAX_PER_ADDRESS', 10, 1, 100_000),
      registrationWindowSeconds: integer(env, 'REGISTER_WINDOW_SECONDS', 3600, 1, 7 * 86_400),
    }),
    invitationTtlDays: integer(env, 'INVITATION_TTL_DAYS', 14, 1, 365),
    // Long enough for a load balancer polling readiness every few seconds to
    // stop sending traffic; nobody polls a development or test server.
    shutdownDelayMs: integer(
      env,
      'SHUTDOWN_DELAY_MS',
      nodeEnv === 'production' ? SHUTDOWN_DELAY_PRODUCTION_MS : 0,
      0,
      120_000,
    ),

    cursorSecret: cursorSecret(env),
    webConcurrency: integer(
      env,
      'WEB_CONCURRENCY',
      nodeEnv === 'production' ? os.availableParallelism() : 1,
      1,
      WEB_CONCURRENCY_MAX,
    ),
  });
}
