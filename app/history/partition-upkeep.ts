import { QueryTypes, type Sequelize } from 'sequelize';
import type { Logger } from '../logger';
import { MONTHS_AHEAD } from './history-steps';
import { ensurePartitionsAheadSql } from './partition-sql';

/** How often a running server makes the partitions ahead again. */
export const UPKEEP_INTERVAL_MS = 24 * 60 * 60 * 1000;

/**
 * Makes the history's partitions for this month and MONTHS_AHEAD months on,
 * those missing. A failure (a lock not granted within the function's 200 ms,
 * migrations not applied yet) is logged as a warning, never thrown: writes
 * still land in the default partition, and the next run makes them.
 */
export async function ensurePartitionsAhead(sequelize: Sequelize, logger: Logger): Promise<void> {
  try {
    const [row] = await sequelize.query<{ made: number }>(ensurePartitionsAheadSql(MONTHS_AHEAD), {
      type: QueryTypes.SELECT,
    });
    logger.debug({ made: row?.made ?? 0 }, 'history partitions ahead checked');
    if (row?.made) logger.info({ made: row.made }, 'history partitions made ahead');
  } catch (error) {
    logger.warn(
      { err: error },
      'could not make the history partitions ahead; retried in a day (writes go to the default partition meanwhile)',
    );
  }
}

/**
 * Runs ensurePartitionsAhead now and once a day on an unref'd timer (it
 * never keeps the process alive); returns a function that stops it. The
 * write path never makes partitions: they are made here, ahead of time.
 */
export async function startPartitionUpkeep(
  sequelize: Sequelize,
  logger: Logger,
): Promise<() => void> {
  await ensurePartitionsAhead(sequelize, logger);
  const timer = setInterval(
    () => void ensurePartitionsAhead(sequelize, logger),
    UPKEEP_INTERVAL_MS,
  );
  timer.unref();
  return () => clearInterval(timer);
}
