import { QueryTypes, type Sequelize } from 'sequelize';
import { NotFoundError } from '../errors';
import { campaignOfRowSql } from '../history/as-of-sql';
import { historyTableOfKind } from '../history/history-spec';
import type { CampaignRole } from '../../models';
import { accessCampaign } from './campaign-access';
import { RowsAsOf, type RowAsOf, type UserSummaries } from './rows-as-of';
import type { RowKind } from '../registry';

/** One row as it was, the users it names, and the caller's role in its campaign now. */
export interface RowAsOfView {
  row: RowAsOf;
  users: UserSummaries;
  role: CampaignRole;
}

/** Columns of a row that name a user, besides the audit ones. */
const USER_COLUMNS: Partial<Record<RowKind, string>> = { character: 'player_owner_id' };

/**
 * `GET /api/<collection>/:id?asOf=`: one row as it was at a time. Who may
 * read it is decided by the campaign as it is now, as for the row itself:
 * any member now reads its rows at any time the history answers, from
 * before they joined too (the campaign's activity shows them that history
 * already). A row gone since is found through its entries.
 */
export class AsOfService {
  readonly rows: RowsAsOf;

  constructor(private readonly sequelize: Sequelize) {
    this.rows = new RowsAsOf(sequelize);
  }

  async get(kind: RowKind, id: number, userId: number, asOf: string): Promise<RowAsOfView> {
    const at = await this.rows.answerable('query.asOf', asOf);
    const spec = historyTableOfKind(kind);
    const label = kind.charAt(0).toUpperCase() + kind.slice(1);
    const [found] = await this.sequelize.query<{ campaign_id: number | null }>(
      campaignOfRowSql(spec.table, spec.campaignColumn),
      { bind: [id, spec.table], type: QueryTypes.SELECT },
    );
    const campaignId = found?.campaign_id;
    // Never existed, or in a campaign the caller is not a member of: the same 404.
    if (campaignId === null || campaignId === undefined) {
      throw new NotFoundError(`${label} ${id} not found`);
    }
    const { role } = await accessCampaign(campaignId, userId).catch((error: unknown) => {
      if (error instanceof NotFoundError) throw new NotFoundError(`${label} ${id} not found`);
      throw error;
    });
    const [row] = await this.rows.read(kind, [id], at);
    if (!row) throw new NotFoundError(`${label} ${id} did not exist at ${asOf}`);
    return { row, users: await this.rows.users(userIdsOf([row])), role };
  }
}

/** Every user id the rows name: audit users, and a character's player. */
export function userIdsOf(rows: readonly RowAsOf[]): Array<number | null> {
  return rows.flatMap((row) => {
    const column = USER_COLUMNS[row.kind];
    const named = column ? (row.values[column] as number | null) : null;
    return [row.createdBy, row.modifiedBy, named];
  });
}
