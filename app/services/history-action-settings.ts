import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { HISTORY_SETTINGS } from '../db/history-settings';

/*
 * What a restore or a revert tells the history capture, as settings local to
 * its transaction (safe under transaction pooling). The capture function
 * (app/history/capture-actions-sql.ts) consumes each with the one write it
 * is for; set them right before that write.
 */

async function setAll(
  sequelize: Sequelize,
  transaction: Transaction,
  settings: Record<string, string>,
): Promise<void> {
  const names = Object.keys(settings);
  await sequelize.query(
    `SELECT ${names.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ')}`,
    {
      bind: names.flatMap((name) => [name, settings[name]!]),
      type: QueryTypes.SELECT,
      transaction,
    },
  );
}

/** The next INSERT of the transaction is recorded as a `restore` by `actorId`. */
export function markNextInsertAsRestore(
  sequelize: Sequelize,
  transaction: Transaction,
  actorId: number,
): Promise<void> {
  return setAll(sequelize, transaction, {
    [HISTORY_SETTINGS.action]: 'restore',
    [HISTORY_SETTINGS.actor]: String(actorId),
  });
}

/** The next UPDATE of the transaction is recorded with source `revert` and `revert_of` = `entryId`. */
export function markNextUpdateAsRevert(
  sequelize: Sequelize,
  transaction: Transaction,
  entryId: string,
): Promise<void> {
  return setAll(sequelize, transaction, {
    [HISTORY_SETTINGS.source]: 'revert',
    [HISTORY_SETTINGS.revertOf]: entryId,
  });
}
