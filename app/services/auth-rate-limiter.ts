import { createHash } from 'node:crypto';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Sequelize } from 'sequelize';
import { normalizeUsername } from '../auth/username';
import type { AuthLimits } from '../config';
import { TooManyRequestsError } from '../errors';
import { sessionFreeStore } from './rate-limit-store';

/** The table created by migration 20261129300000-create-rate-limits. */
export const RATE_LIMIT_TABLE = 'rate_limits';

/** Limits in the units the limiter uses; built from AuthLimits (config). */
export interface AuthRateLimits {
  /** Failed logins allowed per username (from one address) in a window. */
  maxFailuresPerAccount: number;
  /** Failed logins allowed per address, all usernames together, in a window. */
  maxFailuresPerAddress: number;
  windowMs: number;
  /** Registrations allowed per address in a window. */
  maxRegistrationsPerAddress: number;
  registrationWindowMs: number;
}

/** The configured limits in the limiter's units. */
export function limitsFromConfig(limits: AuthLimits): AuthRateLimits {
  return {
    maxFailuresPerAccount: limits.loginFailuresPerAccount,
    maxFailuresPerAddress: limits.loginFailuresPerAddress,
    windowMs: limits.loginWindowSeconds * 1000,
    maxRegistrationsPerAddress: limits.registrationsPerAddress,
    registrationWindowMs: limits.registrationWindowSeconds * 1000,
  };
}

/** A login attempt counted in advance; call `succeeded` once the password matched. */
export interface LoginReservation {
  /** Gives back this attempt's own count; earlier failures stay counted. */
  succeeded(): Promise<void>;
}

/** A registration counted in advance; call `notCreated` when no account was made. */
export interface RegistrationReservation {
  /** Gives back this registration's count: only created accounts count. */
  notCreated(): Promise<void>;
}

/** What AccountService needs of a limiter (AuthRateLimiter; benchmarks plug in others). */
export interface AuthLimiter {
  /** Counts one login attempt, or throws TooManyRequestsError. */
  reserveLogin(username: string, address: string): Promise<LoginReservation>;
  /** Counts one registration, or throws TooManyRequestsError. */
  reserveRegistration(address: string): Promise<RegistrationReservation>;
}

// Keys are hashed: a username or a forwarded address of any length or
// content fits the store's varchar(255) key.
const digest = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('base64url');

/**
 * Login and registration limits in PostgreSQL (rate-limiter-flexible), shared
 * by every instance on the database. An attempt is counted atomically BEFORE
 * the password (or, for a registration, the new password) is hashed: one
 * upsert that increments and returns the count, so of any burst at most the
 * limit reaches scrypt. A login that succeeds gives back only its own count
 * (earlier failures stay in the window), and a registration that creates no
 * account gives back its count. So only failed logins and created accounts
 * count, and many users behind one address can still log in.
 */
export class AuthRateLimiter implements AuthLimiter {
  private readonly perAccount: RateLimiterPostgres;
  private readonly perAddress: RateLimiterPostgres;
  private readonly registrations: RateLimiterPostgres;

  private readonly store: ReturnType<typeof sessionFreeStore>;

  constructor(sequelize: Sequelize, limits: AuthRateLimits) {
    const store = sessionFreeStore(sequelize);
    this.store = store;
    const common = {
      storeClient: store,
      storeType: 'pool',
      tableName: RATE_LIMIT_TABLE,
      // The table comes from a migration; the library must not create it.
      tableCreated: true,
    };
    this.perAccount = new RateLimiterPostgres({
      ...common,
      keyPrefix: 'login-account',
      points: limits.maxFailuresPerAccount,
      duration: limits.windowMs / 1000,
    });
    // The three share one table: one of them deleting expired rows is enough.
    this.perAddress = new RateLimiterPostgres({
      ...common,
      clearExpiredByTimeout: false,
      keyPrefix: 'login-address',
      points: limits.maxFailuresPerAddress,
      duration: limits.windowMs / 1000,
    });
    this.registrations = new RateLimiterPostgres({
      ...common,
      clearExpiredByTimeout: false,
      keyPrefix: 'register',
      points: limits.maxRegistrationsPerAddress,
      duration: limits.registrationWindowMs / 1000,
    });
  }

  /** Counts one login attempt for this username and address, or throws 429 without counting. */
  async reserveLogin(username: string, address: string): Promise<LoginReservation> {
    // Counted per account as login finds it: every form of one name is one count.
    const account = digest(address, normalizeUsername(username));
    const origin = digest(address);
    // Both counts at once (two statements in parallel); a refused one gives
    // the other back, since the attempt is not made.
    const [byAccount, byAddress] = await Promise.allSettled([
      consume(this.perAccount, account, 'failed logins'),
      consume(this.perAddress, origin, 'failed logins'),
    ]);
    if (byAccount.status === 'rejected' || byAddress.status === 'rejected') {
      await Promise.all([
        byAccount.status === 'fulfilled' ? this.perAccount.reward(account, 1) : undefined,
        byAddress.status === 'fulfilled' ? this.perAddress.reward(origin, 1) : undefined,
      ]);
      throw byAccount.status === 'rejected'
        ? byAccount.reason
        : (byAddress as PromiseRejectedResult).reason;
    }
    return {
      succeeded: async () => {
        await Promise.all([
          this.giveBack(this.perAccount, account),
          this.giveBack(this.perAddress, origin),
        ]);
      },
    };
  }

  /** Counts one registration from this address, or throws 429. */
  async reserveRegistration(address: string): Promise<RegistrationReservation> {
    const key = digest(address);
    await consume(this.registrations, key, 'registrations');
    return {
      notCreated: async () => {
        await this.giveBack(this.registrations, key);
      },
    };
  }

  /**
   * Gives back one counted attempt. When nothing is left counted, the row
   * goes too (only if still at zero: a failure counted meanwhile stays), so
   * the next failure opens a window of its own, as if the attempt had never
   * been made.
   */
  private async giveBack(limiter: RateLimiterPostgres, key: string): Promise<void> {
    const left = await limiter.reward(key, 1);
    if (left.consumedPoints > 0) return;
    await this.store.query({
      text: `DELETE FROM ${RATE_LIMIT_TABLE} WHERE key = $1 AND points <= 0`,
      values: [limiter.getKey(key)],
    });
  }
}

/** Consumes a point; over the limit becomes a 429 with the time until the window ends. */
async function consume(limiter: RateLimiterPostgres, key: string, what: string): Promise<void> {
  try {
    await limiter.consume(key, 1);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new TooManyRequestsError(
      `Too many ${what}; try again in ${retryAfterSeconds} seconds`,
      retryAfterSeconds,
    );
  }
}
