import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { ForbiddenError, NotFoundError, RevertConflictError, ValidationError } from '../errors';
import { ident } from '../db/sql-identifier';
import { historyTableOfKind } from '../history/history-spec';
import { Campaign, Character, Item, Location } from '../../models';
import { accessCampaign, notFoundAsNull, type CampaignAccess } from './campaign-access';
import { markNextUpdateAsRevert } from './history-action-settings';
import { canEditCharacter, isEditor } from './permissions';
import type { RowKind } from '../registry';

/**
 * Per kind, the columns PATCH changes and their attribute (and API field)
 * names: a revert is an ordinary update by the caller, so it changes only
 * what PATCH may change.
 */
const PATCHABLE: Record<RowKind, Readonly<Record<string, string>>> = {
  campaign: {
    name: 'name',
    description: 'description',
    game_system: 'gameSystem',
    players_can_create_content: 'playersCanCreateContent',
  },
  character: {
    name: 'name',
    description: 'description',
    game_system: 'gameSystem',
    player_owner_id: 'playerOwnerId',
  },
  item: { name: 'name', description: 'description' },
  location: { name: 'name', description: 'description' },
};

const MODELS = { campaign: Campaign, character: Character, item: Item, location: Location };

const LABELS: Record<RowKind, string> = {
  campaign: 'Campaign',
  character: 'Character',
  item: 'Item',
  location: 'Location',
};

interface Entry {
  action: string;
  changes: Record<string, { from: unknown; to: unknown }>;
}

/**
 * Reverts one update entry of a row: writes back each field's `from`, only
 * if every field the entry changed still holds its `to`. The row is locked
 * (FOR UPDATE) before the comparison and written in the same transaction,
 * so no write lands between them. The write is an ordinary update by the
 * caller through the model (audit stamp, history entry), which the capture
 * records with source `revert` and `revert_of` = the entry.
 */
export class RevertService {
  constructor(private readonly sequelize: Sequelize) {}

  async revert(kind: RowKind, id: number, entryId: string, userId: number): Promise<void> {
    const spec = historyTableOfKind(kind);
    const label = LABELS[kind];
    await this.sequelize.transaction(async (transaction) => {
      const select = <T extends object>(sql: string, bind: unknown[]) =>
        this.sequelize.query<T>(sql, { bind, type: QueryTypes.SELECT, transaction });
      const [row] = await select<{ campaign_id: number; owner: number | null }>(
        `SELECT ${ident(spec.campaignColumn)} AS campaign_id,
                ${kind === 'character' ? 'player_owner_id' : 'NULL'} AS owner
           FROM ${ident(spec.table)} WHERE id = $1 FOR UPDATE`,
        [id],
      );
      const access =
        row &&
        (await accessCampaign(row.campaign_id, userId, { transaction }).catch(notFoundAsNull));
      if (!row || !access) throw new NotFoundError(`${label} ${id} not found`);
      this.requirePatchRight(kind, access, userId, row.owner);
      const [entry] = await select<Entry>(
        `SELECT action, changes FROM history_entries
          WHERE id = $1 AND table_name = $2 AND row_id = $3`,
        [entryId, spec.table, id],
      );
      if (!entry) {
        throw new NotFoundError(`Entry ${entryId} is not in the history of ${label} ${id}`);
      }
      if (entry.action !== 'update') {
        const instead =
          entry.action === 'delete'
            ? `POST /api/<collection>/${id}/restore brings a deleted row back`
            : `DELETE /api/<collection>/${id} undoes a ${entry.action}`;
        throw new ValidationError(
          `Entry ${entryId} is a ${entry.action}, not an update; only updates are reverted. ${instead}`,
          [{ field: 'params.entryId', message: `is a ${entry.action} entry: ${instead}` }],
        );
      }
      const fields = PATCHABLE[kind];
      const columns = Object.keys(entry.changes);
      const fixed = columns.filter((column) => !(column in fields));
      if (fixed.length > 0) {
        throw new ValidationError(
          `Entry ${entryId} changed ${fixed.join(', ')}, which PATCH cannot change; it cannot be reverted here`,
          [
            {
              field: 'params.entryId',
              message: `changed ${fixed.join(', ')}, not changeable by PATCH`,
            },
          ],
        );
      }
      const changed = await select<{ column: string }>(
        `SELECT c.key AS column
           FROM jsonb_each($1::jsonb) c,
                (SELECT to_jsonb(t) AS current FROM ${ident(spec.table)} t WHERE id = $2) r
          WHERE r.current -> c.key IS DISTINCT FROM c.value -> 'to'
          ORDER BY c.key`,
        [JSON.stringify(entry.changes), id],
      );
      if (changed.length > 0) {
        const names = changed.map((c) => fields[c.column] ?? c.column);
        throw new RevertConflictError(
          `${label} ${id} changed again since entry ${entryId} (${names.join(', ')}); nothing was written. Read its history and revert the later entries first, or edit it with PATCH`,
          names,
        );
      }
      const values = Object.fromEntries(
        columns.map((column) => [fields[column]!, entry.changes[column]!.from]),
      );
      if (kind === 'character' && 'playerOwnerId' in values) {
        await this.requireOwnerChange(access, Number(values.playerOwnerId), transaction);
      }
      await markNextUpdateAsRevert(this.sequelize, transaction, entryId);
      const model = MODELS[kind] as typeof Item;
      const instance = await model.findByPk(id, { transaction });
      if (!instance) throw new NotFoundError(`${label} ${id} not found`);
      await instance.update(values, { transaction });
    });
  }

  /** PATCH's rule: OWNER and GM change everything; a PLAYER only the characters they own. */
  private requirePatchRight(
    kind: RowKind,
    access: CampaignAccess,
    userId: number,
    owner: number | null,
  ): void {
    const allowed =
      kind === 'character'
        ? canEditCharacter(access.role, userId, owner ?? 0)
        : isEditor(access.role);
    if (!allowed) {
      throw new ForbiddenError(
        access.role === 'PLAYER' && kind === 'character'
          ? 'A PLAYER can only change the characters they own'
          : `Your role (${access.role}) cannot change this ${kind}`,
      );
    }
  }

  /** As PATCH: only OWNER or GM hand a character over, and only to a member. */
  private async requireOwnerChange(
    access: CampaignAccess,
    owner: number,
    transaction: Transaction,
  ): Promise<void> {
    if (!isEditor(access.role)) {
      throw new ForbiddenError('Only the OWNER or a GM can give a character to another player');
    }
    const [member] = await this.sequelize.query(
      'SELECT 1 FROM campaign_memberships WHERE campaign_id = $1 AND user_id = $2',
      { bind: [access.campaign.id, owner], type: QueryTypes.SELECT, transaction },
    );
    if (!member) {
      throw new ValidationError(
        `The entry gave the character to user ${owner}, who is no longer a member of this campaign`,
        [{ field: 'params.entryId', message: 'its playerOwnerId is no longer a member' }],
      );
    }
  }
}
