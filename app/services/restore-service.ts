import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { ConflictError, ForbiddenError, NotFoundError, NotRestorableError } from '../errors';
import { ident } from '../db/sql-identifier';
import { historyTableOfKind } from '../history/history-spec';
import { accessCampaign, notFoundAsNull } from './campaign-access';
import { markNextInsertAsRestore } from './history-action-settings';
import { canEditCharacter, canEditItemOrLocation, isEditor } from './permissions';

/** The kinds of row a restore brings back (a campaign takes its content with it when deleted). */
export type RestorableKind = 'character' | 'item' | 'location';

/** A restored row, and whether it came back with another player owner. */
export interface RestoreResult {
  id: number;
  /** Set when a character's owner had left the campaign: it now belongs to the restorer. */
  ownerReassigned: { previousPlayerOwnerId: number } | null;
}

type Row = Record<string, unknown>;

/** What the restore reads of the row, its latest entry, its campaign and creator, in one query. */
interface Found {
  existing_campaign: number | null;
  action: string | null;
  changes: Record<string, { from: unknown }> | null;
  campaign_id: number | null;
  creator_exists: boolean;
  columns: string[];
}

const LABELS: Record<RestorableKind, string> = {
  character: 'Character',
  item: 'Item',
  location: 'Location',
};

/**
 * Brings a deleted character, item or location back from its delete entry:
 * same id, the values it had when deleted (columns added since take their
 * default, columns dropped since are left out), its creator and creation
 * time as they were, modified by the restorer now. The write is one INSERT
 * with the id given (the id sequence is not drawn from), recorded by the
 * capture as action `restore`.
 *
 * Who may delete the row may restore it, by the campaign as it is now. Of
 * concurrent restores of one row, one inserts; the others wait on a
 * transaction-scoped lock of (table, id), then find the row: 409.
 */
export class RestoreService {
  constructor(private readonly sequelize: Sequelize) {}

  async restore(kind: RestorableKind, id: number, userId: number): Promise<RestoreResult> {
    const spec = historyTableOfKind(kind);
    const label = LABELS[kind];
    // Told to anyone who may not learn more: nothing of this id can be restored.
    const pruned = () =>
      new NotRestorableError(
        `${label} ${id} cannot be restored: no delete entry of it is kept in the history (it never existed, or its history was pruned)`,
        'history_pruned',
      );
    return this.sequelize.transaction(async (transaction) => {
      const select = <T extends object>(sql: string, bind: unknown[]) =>
        this.sequelize.query<T>(sql, { bind, type: QueryTypes.SELECT, transaction });
      // Its own statement: the reads below then see a restore that committed while it waited.
      await select('SELECT pg_advisory_xact_lock(hashtext($1), $2)', [spec.table, id]);
      const [found] = await select<Found>(
        `SELECT (SELECT ${ident(spec.campaignColumn)} FROM ${ident(spec.table)} WHERE id = $2) AS existing_campaign,
                e.action, e.changes,
                -- FOR KEY SHARE: the campaign cannot be deleted before this commits.
                (SELECT id FROM campaigns
                  WHERE id = (e.changes -> $3 ->> 'from')::integer FOR KEY SHARE) AS campaign_id,
                EXISTS (SELECT 1 FROM users
                         WHERE id = (e.changes -> 'created_by' ->> 'from')::integer) AS creator_exists,
                ARRAY(SELECT attname::text FROM pg_attribute
                       WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped) AS columns
           FROM (SELECT 1) AS one
           LEFT JOIN LATERAL (SELECT action, changes FROM history_entries
                               WHERE table_name = $1 AND row_id = $2
                               ORDER BY at DESC, id DESC LIMIT 1) e ON true`,
        [spec.table, id, spec.campaignColumn],
      );
      if (found!.existing_campaign !== null) {
        const access = await accessCampaign(found!.existing_campaign, userId, {
          transaction,
        }).catch(notFoundAsNull);
        if (!access) throw new NotFoundError(`${label} ${id} not found`);
        throw new ConflictError(`${label} ${id} exists: there is nothing to restore`);
      }
      const last = found!;
      if (last.action !== 'delete' || !last.changes) throw pruned();
      const values: Row = Object.fromEntries(
        Object.entries(last.changes).map(([column, change]) => [column, change.from]),
      );
      const campaignId = Number(values[spec.campaignColumn]);
      if (last.campaign_id === null) {
        throw new NotRestorableError(
          `${label} ${id} cannot be restored: its campaign ${campaignId} was deleted`,
          'campaign_deleted',
        );
      }
      const access = await accessCampaign(campaignId, userId, { transaction }).catch(
        notFoundAsNull,
      );
      if (!access) throw pruned();
      let ownerReassigned: RestoreResult['ownerReassigned'] = null;
      if (kind === 'character') {
        const owner = Number(values.player_owner_id);
        if (!(await this.isMember(campaignId, owner, transaction))) {
          if (!isEditor(access.role)) {
            throw new ForbiddenError(
              `Character ${id}'s player is no longer a member of the campaign: only the OWNER or a GM can restore it, and it becomes theirs`,
            );
          }
          values.player_owner_id = userId;
          ownerReassigned = { previousPlayerOwnerId: owner };
        } else if (!canEditCharacter(access.role, userId, owner)) {
          throw new ForbiddenError(
            access.role === 'PLAYER'
              ? 'A PLAYER can only restore the characters they own'
              : `Your role (${access.role}) cannot restore characters`,
          );
        }
      } else if (!canEditItemOrLocation(access.role)) {
        throw new ForbiddenError(`Your role (${access.role}) cannot restore a ${kind}`);
      }
      await this.insert(spec.table, id, values, userId, last, transaction);
      return { id, ownerReassigned };
    });
  }

  private async isMember(campaignId: number, userId: number, transaction: Transaction) {
    const [row] = await this.sequelize.query(
      'SELECT 1 FROM campaign_memberships WHERE campaign_id = $1 AND user_id = $2',
      { bind: [campaignId, userId], type: QueryTypes.SELECT, transaction },
    );
    return row !== undefined;
  }

  /**
   * One INSERT of the row as the delete entry holds it, typed by the table
   * itself (jsonb_populate_record), only the columns the table still has.
   * The audit columns follow the mixin's rules: the creator stays, the
   * modifier is the restorer, updated_at is now. A creator deleted since
   * stays unknown (NULL), as deleting a user leaves the rows they made.
   */
  private async insert(
    table: string,
    id: number,
    values: Row,
    userId: number,
    found: Pick<Found, 'creator_exists' | 'columns'>,
    transaction: Transaction,
  ): Promise<void> {
    const creatorExists = found.creator_exists;
    const creator = values.created_by === null ? null : Number(values.created_by);
    const row: Row = {
      ...values,
      id,
      modified_by: userId,
      created_by: creatorExists ? creator : null,
    };
    delete row.updated_at;
    const columns = found.columns.filter((name) => name in row);
    columns.push('updated_at');
    const list = columns.map(ident).join(', ');
    const selected = columns
      .map((c) => (c === 'updated_at' ? 'now()' : `r.${ident(c)}`))
      .join(', ');
    await markNextInsertAsRestore(this.sequelize, transaction, userId);
    await this.sequelize.query(
      `INSERT INTO ${ident(table)} (${list})
       SELECT ${selected} FROM jsonb_populate_record(NULL::${ident(table)}, $1::jsonb) r`,
      { bind: [JSON.stringify(row)], transaction },
    );
    if (!creatorExists) {
      // The database's fill rule gave a NULL creator a value; unknown it stays.
      // An UPDATE of the creator alone records no history entry.
      await this.sequelize.query(`UPDATE ${ident(table)} SET created_by = NULL WHERE id = $1`, {
        bind: [id],
        transaction,
      });
    }
  }
}
