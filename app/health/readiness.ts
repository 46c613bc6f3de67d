import type { Sequelize } from 'sequelize';
import { migrationStatus } from '../db/migration-runner';

/** Why the instance should not get traffic. */
export type NotReadyReason = 'database_unreachable' | 'migrations_pending' | 'shutting_down';

/** The last readiness check. */
export interface ReadinessState {
  ready: boolean;
  reason: NotReadyReason | null;
  database: 'ok' | 'unreachable';
  /** Migrations of this version not applied yet; null when the database could not be read. */
  pending: string[] | null;
}

/** How long a check stays fresh for the API gate; /health/ready always checks anew. */
export const READINESS_RECHECK_MS = 5_000;

/** SQLSTATEs of a query naming a table or column the database lacks: the schema is behind the code. */
const SCHEMA_MISSING = new Set(['42P01', '42703']);

/** The SQLSTATE of a driver error, however a library wrapped it. */
function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const { code } = e as { code?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    const next = e as { parent?: unknown; original?: unknown; cause?: unknown };
    e = next.parent ?? next.original ?? next.cause;
  }
  return undefined;
}

/** Whether `error` says the database lacks a table or column this version uses. */
export function isSchemaMissingError(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && SCHEMA_MISSING.has(state);
}

/**
 * Whether this instance can serve: the database answers and no migration of
 * this version is pending (migrations a newer version applied are not in our
 * files, so they never count), and it is not shutting down.
 *
 * The API gate must cost nothing per request, so it reads a flag: it closes
 * when a request meets a missing table or column (SQLSTATE 42P01/42703), and
 * opens again once a check finds no pending migration. A closed gate re-checks
 * at most every READINESS_RECHECK_MS, and /health/ready checks on every call.
 * Pending migrations alone do not close it: the online migrations (backfills,
 * index builds) run while this version already serves.
 */
export class Readiness {
  private checkedAt = 0;
  private inFlight: Promise<ReadinessState> | null = null;
  private stopping = false;
  private schemaBroken = false;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly recheckMs = READINESS_RECHECK_MS,
  ) {}

  /** Runs the check now (one at a time: concurrent callers share it). */
  check(): Promise<ReadinessState> {
    this.inFlight ??= this.read().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /** From now on readiness fails with `shutting_down`; the API keeps serving. */
  markShuttingDown(): void {
    this.stopping = true;
  }

  /** A request met a missing table or column: close the API gate until a check passes. */
  reportSchemaMissing(): void {
    this.schemaBroken = true;
    if (Date.now() - this.checkedAt >= this.recheckMs) void this.check().catch(() => {});
  }

  /** Whether the API may serve: false only after a missing table or column and no passing check since. */
  async apiMayServe(): Promise<boolean> {
    if (!this.schemaBroken) return true;
    if (Date.now() - this.checkedAt >= this.recheckMs) await this.check();
    return !this.schemaBroken;
  }

  private async read(): Promise<ReadinessState> {
    let state: ReadinessState;
    try {
      const { pending } = await migrationStatus(this.sequelize);
      state = {
        ready: pending.length === 0,
        reason: pending.length === 0 ? null : 'migrations_pending',
        database: 'ok',
        pending,
      };
      if (pending.length === 0) this.schemaBroken = false;
    } catch {
      state = {
        ready: false,
        reason: 'database_unreachable',
        database: 'unreachable',
        pending: null,
      };
    }
    this.checkedAt = Date.now();
    return this.withShutdown(state);
  }

  private withShutdown(state: ReadinessState): ReadinessState {
    return this.stopping ? { ...state, ready: false, reason: 'shutting_down' } : state;
  }
}
