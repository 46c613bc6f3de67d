// The previous app version during a rolling upgrade, as its own process: it
// knows nothing of the audit columns and writes content (characters, items,
// locations, campaigns) through autocommit INSERTs and UPDATEs, one at a
// time, through the URL it is given (PgBouncer in the drill). Forked by
// previous-version.ts over IPC: it sends `ready` with the pre-existing id
// ranges, takes `adopt` (rows the new version created that it may now
// update too) and `stop`, and answers `stop` with every write it made.
import pg from 'pg';
import {
  DRILL_TABLES,
  type DrillTable,
  type IdRanges,
  type ToWriter,
  type FromWriter,
  type WriteRecord,
  type UpdateTarget,
} from './writer-protocol';

const PAUSE_MS = 2;

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
const between = (low: number, high: number) => low + Math.floor(Math.random() * (high - low + 1));

function send(message: FromWriter, then?: () => void): void {
  process.send!(message, undefined, {}, () => then?.());
}

async function main(): Promise<void> {
  const url = process.argv[2];
  if (!url) throw new Error('usage: previous-version-writer.ts <database url>');
  const client = new pg.Client({ connectionString: url, application_name: 'previous-version' });
  await client.connect();

  const ranges = {} as IdRanges;
  for (const table of DRILL_TABLES) {
    const { rows } = await client.query<{ min: number; max: number }>(
      `SELECT min(id) AS min, max(id) AS max FROM ${table}`,
    );
    ranges[table] = rows[0]!;
  }
  const { rows: ctx } = await client.query<{ users: number[]; campaigns: number[] }>(
    `SELECT (SELECT array_agg(id) FROM users) AS users,
            (SELECT array_agg(id) FROM campaigns) AS campaigns`,
  );
  const users = ctx[0]!.users;
  const campaigns = ctx[0]!.campaigns;
  const perTable = () =>
    Object.fromEntries(DRILL_TABLES.map((t) => [t, [] as number[]])) as Record<
      DrillTable,
      number[]
    >;
  // Its own inserts, and rows the new version created, that it may update.
  const own = perTable();
  const adopted = perTable();

  const writes: WriteRecord[] = [];
  const errors: string[] = [];
  let stopping = false;
  process.on('message', (message: ToWriter) => {
    if (message.type === 'adopt') adopted[message.table].push(...message.ids);
    if (message.type === 'stop') stopping = true;
  });
  send({ type: 'ready', ranges });

  for (let n = 0; !stopping; n++) {
    const table = DRILL_TABLES[n % DRILL_TABLES.length]!;
    const insert = n % 3 === 0;
    const startedAt = Date.now();
    const started = process.hrtime.bigint();
    try {
      if (insert) {
        const id = await insertRow(client, table, n, pick(campaigns), pick(users));
        own[table].push(id);
        writes.push([table, id, 'insert', startedAt, msSince(started)]);
      } else {
        const { id, target } = chooseTarget(ranges[table], own[table], adopted[table]);
        const { rows } = await client.query<{ id: number }>(
          `UPDATE ${table} SET description = $2, updated_at = now() WHERE id = $1 RETURNING id`,
          [id, `previous version ${n}`],
        );
        // A row the new version deleted, or a gap in the ids: no write.
        if (rows.length) writes.push([table, id, target, startedAt, msSince(started)]);
      }
    } catch (error) {
      errors.push(`${insert ? 'insert into' : 'update of'} ${table}: ${(error as Error).message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
  await client.end();
  // Disconnecting only once the result is out lets the process end.
  send({ type: 'result', writes, errors }, () => process.disconnect());
}

function msSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * Mostly rows that existed before the migration, many with the highest ids
 * (the ones a backfill reaches last, so they are updated after the audit
 * columns exist and before the backfill fills them); some of its own
 * inserts, and rows the new version created.
 */
function chooseTarget(
  range: { min: number; max: number },
  own: number[],
  adopted: number[],
): { id: number; target: UpdateTarget } {
  const r = Math.random();
  if (r < 0.4) {
    const quarter = Math.max(1, Math.floor((range.max - range.min) / 4));
    return { id: between(range.max - quarter, range.max), target: 'update-old-high' };
  }
  if (r < 0.7 || (own.length === 0 && adopted.length === 0)) {
    return { id: between(range.min, range.max), target: 'update-old' };
  }
  if (r < 0.85 || adopted.length === 0) {
    return own.length
      ? { id: pick(own), target: 'update-own' }
      : { id: pick(adopted), target: 'update-adopted' };
  }
  return { id: pick(adopted), target: 'update-adopted' };
}

async function insertRow(
  client: pg.Client,
  table: DrillTable,
  n: number,
  campaign: number,
  user: number,
): Promise<number> {
  const name = `previous ${process.pid}-${n}`;
  // The previous version set created_by on items and locations, where it
  // existed before the audit; not always (rows with no known creator).
  const creator = n % 2 ? user : null;
  const [sql, params] = {
    characters: [
      `INSERT INTO characters (name, description, campaign_id, player_owner_id, game_system, created_at, updated_at)
       VALUES ($1, '', $2, $3, 'D&D 5e', now(), now()) RETURNING id`,
      [name, campaign, user],
    ],
    items: [
      `INSERT INTO items (name, description, campaign_id, created_by, created_at, updated_at)
       VALUES ($1, '', $2, $3, now(), now()) RETURNING id`,
      [name, campaign, creator],
    ],
    locations: [
      `INSERT INTO locations (name, description, campaign_id, created_by, created_at, updated_at)
       VALUES ($1, '', $2, $3, now(), now()) RETURNING id`,
      [name, campaign, creator],
    ],
    campaigns: [
      `INSERT INTO campaigns (name, description, owner_id, game_system, created_at, updated_at)
       VALUES ($1, '', $2, '', now(), now()) RETURNING id`,
      [name, user],
    ],
  }[table] as [string, unknown[]];
  const { rows } = await client.query<{ id: number }>(sql, params);
  return rows[0]!.id;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
