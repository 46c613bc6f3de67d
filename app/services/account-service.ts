import { Op, UniqueConstraintError, fn, col, where } from 'sequelize';
import { hashPassword, verifyPassword } from '../auth/password';
import { generateToken, hashToken } from '../auth/tokens';
import { normalizeUsername, usernameAsWritten } from '../auth/username';
import type { Actor } from '../context';
import { ConflictError, UnauthorizedError } from '../errors';
import { AuthToken, User } from '../../models';
import type { AuthLimiter } from './auth-rate-limiter';

export interface AccountSettings {
  scryptLogN: number;
  tokenTtlHours: number;
}

/** The authenticated caller of a request: the request context's actor, with its token. */
export interface Caller extends Actor {
  readonly tokenId: number;
}

export interface LoginResult {
  token: string;
  expiresAt: Date;
  user: User;
}

/** Registration, login with bearer tokens, logout and token checks. */
export class AccountService {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly settings: AccountSettings,
    private readonly limiter: AuthLimiter,
  ) {}

  /**
   * Creates a user. Counted against the address's registration limit before
   * the password is hashed, and given back when no account is made; a
   * username taken in any case is a 409 (the unique index on lower(username)
   * decides, so racing sign-ups cannot both win).
   */
  async register(
    input: {
      username: string;
      email: string;
      password: string;
      displayName?: string | undefined;
    },
    address: string,
  ): Promise<User> {
    const reservation = await this.limiter.reserveRegistration(address);
    try {
      const passwordHash = await hashPassword(input.password, this.settings.scryptLogN);
      return await User.create({
        username: usernameAsWritten(input.username),
        email: input.email,
        passwordHash,
        displayName: input.displayName || input.username,
      });
    } catch (error) {
      // Only created accounts count toward the limit. A failed give-back
      // must not hide why the registration failed, which is the answer.
      await reservation.notCreated().catch(() => undefined);
      if (error instanceof UniqueConstraintError) {
        throw new ConflictError('This username is taken (usernames ignore case)', {
          fields: ['username'],
        });
      }
      throw error;
    }
  }

  /**
   * Checks the password and issues a new token; the same 401 for an unknown
   * user or a wrong password. The attempt is counted before scrypt runs and
   * given back on success, so a parallel burst checks at most the limit.
   */
  async login(username: string, password: string, address: string): Promise<LoginResult> {
    const reservation = await this.limiter.reserveLogin(username, address);
    // Any case or compatibility form finds the account: usernames are unique by lower(username).
    const user = await User.findOne({
      where: {
        [Op.and]: [where(fn('lower', col('username')), normalizeUsername(username))],
        isActive: true,
      },
    });
    // An unknown user costs one scrypt too, so timing does not reveal which usernames exist.
    const ok = await verifyPassword(password, user?.passwordHash ?? (await this.fakeHash()));
    if (!user || !ok) throw new UnauthorizedError('Wrong username or password');
    await reservation.succeeded();

    const token = generateToken();
    const expiresAt = new Date(Date.now() + this.settings.tokenTtlHours * 3_600_000);
    await AuthToken.destroy({ where: { userId: user.id, expiresAt: { [Op.lte]: new Date() } } });
    await AuthToken.create({ userId: user.id, tokenHash: hashToken(token), expiresAt });
    return { token, expiresAt, user };
  }

  /** Resolves a bearer token to its caller, or throws 401. */
  async authenticate(token: string): Promise<Caller> {
    const row = await AuthToken.findOne({
      where: { tokenHash: hashToken(token), expiresAt: { [Op.gt]: new Date() } },
      include: [{ model: User, as: 'user', attributes: ['id'], where: { isActive: true } }],
    });
    if (!row) throw new UnauthorizedError('The bearer token is invalid or expired; log in again');
    return { userId: row.userId, tokenId: row.id };
  }

  /** Revokes the caller's token. */
  async logout(caller: Caller): Promise<void> {
    await AuthToken.destroy({ where: { id: caller.tokenId } });
  }

  /** The caller's account. */
  async me(caller: Caller): Promise<User> {
    const user = await User.findByPk(caller.userId);
    if (!user) throw new UnauthorizedError('The account no longer exists');
    return user;
  }

  private fakeHash(): Promise<string> {
    this.dummyHash ??= hashPassword('not a real password', this.settings.scryptLogN);
    return this.dummyHash;
  }
}
