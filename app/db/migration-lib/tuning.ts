import { integer } from '../../config-error';

/** How migrations pace themselves; every value from the environment, parsed one way. */
export interface MigrationTuning {
  /** Longest wait for a DDL lock per attempt (GMA_DDL_LOCK_TIMEOUT_MS, default 50). */
  readonly lockTimeoutMs: number;
  /** Attempts before a DDL statement gives up (GMA_DDL_ATTEMPTS, default 40). */
  readonly ddlAttempts: number;
  /** Wanted time per backfill batch; the row count adapts (GMA_BACKFILL_BATCH_MS, default 50). */
  readonly batchTargetMs: number;
  /** Rows in the first batch (GMA_BACKFILL_FIRST_BATCH, default 1000). */
  readonly firstBatch: number;
  /** Sleep between batches, a throttle for busy systems (GMA_BACKFILL_PAUSE_MS, default 0). */
  readonly batchPauseMs: number;
}

/**
 * Reads the tuning when a migration step starts (so a test or an operator can
 * set it per run); a malformed value stops the migration with a ConfigError
 * naming the variable, before anything is changed.
 */
export function migrationTuning(env: Record<string, string | undefined> = process.env) {
  const tuning: MigrationTuning = {
    lockTimeoutMs: integer(env, 'GMA_DDL_LOCK_TIMEOUT_MS', 50, 1, 60_000),
    ddlAttempts: integer(env, 'GMA_DDL_ATTEMPTS', 40, 1, 10_000),
    batchTargetMs: integer(env, 'GMA_BACKFILL_BATCH_MS', 50, 1, 60_000),
    firstBatch: integer(env, 'GMA_BACKFILL_FIRST_BATCH', 1000, 1, 1_000_000),
    batchPauseMs: integer(env, 'GMA_BACKFILL_PAUSE_MS', 0, 0, 60_000),
  };
  return Object.freeze(tuning);
}
