import { TooManyRequestsError } from '../../app/errors';
import type {
  AuthLimiter,
  LoginReservation,
  RegistrationReservation,
} from '../../app/services/auth-rate-limiter';

interface Window {
  failures: number;
  resetAt: number;
}

/**
 * The login limiter the app had before the PostgreSQL one, kept only to
 * measure against: fixed windows in a Map of this process, checked when a
 * request arrives (failures would be recorded after scrypt). The benchmark
 * logs in with the right password, so only the check and the success path
 * run, which is what it did on a successful login.
 */
export class InMemoryLoginLimiter implements AuthLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly maxFailuresPerAccount = 5,
    private readonly maxFailuresPerAddress = 50,
  ) {}

  async reserveLogin(username: string, address: string): Promise<LoginReservation> {
    const now = Date.now();
    const keys: Array<[string, number]> = [
      [`account:${address}:${username.toLowerCase()}`, this.maxFailuresPerAccount],
      [`address:${address}`, this.maxFailuresPerAddress],
    ];
    for (const [key, max] of keys) {
      const window = this.windows.get(key);
      if (window && window.resetAt > now && window.failures >= max) {
        const retryAfterSeconds = Math.ceil((window.resetAt - now) / 1000);
        throw new TooManyRequestsError('Too many failed logins', retryAfterSeconds);
      }
    }
    return {
      succeeded: async () => {
        this.windows.delete(keys[0]![0]);
      },
    };
  }

  async reserveRegistration(): Promise<RegistrationReservation> {
    return { notCreated: async () => {} };
  }
}
