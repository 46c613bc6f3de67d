import { TooManyRequestsError } from '../errors';

export interface LoginRateLimits {
  /** Failed logins allowed per username (from one address) in a window. */
  maxFailuresPerAccount: number;
  /** Failed logins allowed per address, all usernames together, in a window. */
  maxFailuresPerAddress: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginRateLimits = {
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 50,
  windowMs: 15 * 60_000,
};

interface Window {
  failures: number;
  resetAt: number;
}

/**
 * Counts failed logins in fixed windows, in memory (one process). Only
 * failures count, so many users behind one address can still log in.
 */
export class LoginRateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limits: LoginRateLimits = DEFAULT_LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws 429 when this username or address has failed too often lately. */
  check(username: string, address: string): void {
    const now = this.now();
    for (const [key, max] of this.keys(username, address)) {
      const window = this.windows.get(key);
      if (window && window.resetAt > now && window.failures >= max) {
        const retryAfterSeconds = Math.ceil((window.resetAt - now) / 1000);
        throw new TooManyRequestsError(
          `Too many failed logins; try again in ${retryAfterSeconds} seconds`,
          retryAfterSeconds,
        );
      }
    }
  }

  /** Counts one failed attempt. */
  recordFailure(username: string, address: string): void {
    const now = this.now();
    if (this.windows.size > 10_000) this.prune(now);
    for (const [key] of this.keys(username, address)) {
      const window = this.windows.get(key);
      if (window && window.resetAt > now) window.failures += 1;
      else this.windows.set(key, { failures: 1, resetAt: now + this.limits.windowMs });
    }
  }

  /** A successful login clears that account's count (not the address's). */
  recordSuccess(username: string, address: string): void {
    this.windows.delete(this.keys(username, address)[0]![0]);
  }

  private keys(username: string, address: string): Array<[string, number]> {
    return [
      [`account:${address}:${username.toLowerCase()}`, this.limits.maxFailuresPerAccount],
      [`address:${address}`, this.limits.maxFailuresPerAddress],
    ];
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}
