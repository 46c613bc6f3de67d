// The SQL the history API runs for a page, exactly: the real HistoryService
// on the benchmark's database, its access check run, its page query caught
// on the way to the database and handed back (with its bind parameters) to
// be EXPLAINed, instead of run.
import type pg from 'pg';
import type { Sequelize } from 'sequelize';
import { createSequelize } from '../../app/db/sequelize';
import { aroundQuery } from '../../app/db/sequelize-internals';
import type { RowKind } from '../../app/registry';
import type { HistoryCursor } from '../../app/services/history-cursor';
import { HistoryService, type ActivityOptions } from '../../app/services/history-service';
import { initModels } from '../../models';

export interface HistoryPageQuery {
  sql: string;
  params: unknown[];
}

const PAGE_QUERY = /FROM history_entries h\b/;

/** A reader of the given campaigns and characters: what the service's checks need to exist. */
export async function createReader(
  client: pg.Client,
  campaigns: number[],
  characters: Array<{ id: number; campaign: number }>,
): Promise<number> {
  // Made without triggers (no history entry, no audit stamp): only the access check reads them.
  await client.query(`SET session_replication_role = replica`);
  const { rows: user } = await client.query<{ id: number }>(
    `INSERT INTO users (username, email, password_hash, created_at, updated_at)
     VALUES ('bench_reader', 'reader@example.test', 'not-a-real-hash', now(), now()) RETURNING id`,
  );
  const reader = user[0]!.id;
  for (const id of campaigns) {
    await client.query(
      `INSERT INTO campaigns (id, name, description, owner_id, created_at, updated_at)
       VALUES ($1::integer, 'Campaign ' || $1::text, '', $2, now(), now())`,
      [id, reader],
    );
    await client.query(
      `INSERT INTO campaign_memberships (campaign_id, user_id, role, created_at, updated_at)
       VALUES ($1, $2, 'GM', now(), now())`,
      [id, reader],
    );
  }
  for (const character of characters) {
    await client.query(
      `INSERT INTO characters (id, name, description, campaign_id, player_owner_id, created_at, updated_at)
       VALUES ($1::integer, 'Character ' || $1::text, '', $2, $3, now(), now())`,
      [character.id, character.campaign, reader],
    );
  }
  await client.query(`SET session_replication_role = DEFAULT`);
  return reader;
}

/** Hands back the page queries HistoryService would run, for `reader`. */
export class HistoryApiSql {
  private caught: HistoryPageQuery | undefined;
  private readonly service: HistoryService;

  private constructor(
    private readonly sequelize: Sequelize,
    private readonly reader: number,
  ) {
    initModels(sequelize);
    aroundQuery(sequelize, (sql, options, query) => {
      if (typeof sql === 'string' && PAGE_QUERY.test(sql)) {
        this.caught = { sql, params: (options?.bind as unknown[] | undefined) ?? [] };
        return Promise.resolve([]);
      }
      return query(sql, options);
    });
    this.service = new HistoryService(sequelize);
  }

  static open(url: string, reader: number): HistoryApiSql {
    return new HistoryApiSql(createSequelize(url), reader);
  }

  private async catchQuery(read: () => Promise<unknown>): Promise<HistoryPageQuery> {
    this.caught = undefined;
    await read();
    if (!this.caught) throw new Error('the history service ran no page query');
    return this.caught;
  }

  /** GET /api/{kind}s/:id/history?limit=50[&cursor=] */
  rowPage(kind: RowKind, id: number, cursor?: HistoryCursor): Promise<HistoryPageQuery> {
    return this.catchQuery(() => this.service.ofRow(kind, id, this.reader, { limit: 50, cursor }));
  }

  /** GET /api/campaigns/:id/activity?limit=50[&actor=&kind=&since=&until=&cursor=] */
  activityPage(
    campaign: number,
    filters: Omit<ActivityOptions, 'limit'> = {},
  ): Promise<HistoryPageQuery> {
    return this.catchQuery(() =>
      this.service.activity(campaign, this.reader, { limit: 50, ...filters }),
    );
  }

  close(): Promise<void> {
    return this.sequelize.close();
  }
}
