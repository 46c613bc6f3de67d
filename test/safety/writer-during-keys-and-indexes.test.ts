import { expect } from 'chai';
import pg from 'pg';
import { migrateUp } from '../../app/db/migration-runner';
import type { TestDatabase } from '../support/test-database';
import { auditMigrationOf } from '../../app/audit/audit-spec';
import { count, createPreAuditDatabase, migrationBefore } from './audit-database';

const ITEMS = 50_000;
/** An app transaction that keeps a row of items this long, as the items key and index steps start. */
const HOLD_MS = 1500;
/** A write that waits this long has been blocked by the migration, not slowed. */
const LIMIT_MS = 500;
const ITEMS_KEYS = auditMigrationOf('items', 'keys');
const HOLD_DURING = [ITEMS_KEYS, auditMigrationOf('items', 'indexes')];

// A plain CREATE INDEX (or a validated ADD FOREIGN KEY) takes a lock writers
// conflict with: it queues behind any open transaction that wrote the table
// and every later writer queues behind it, for as long as that transaction
// lasts plus the build. CONCURRENTLY and NOT VALID + VALIDATE take locks
// writers do not conflict with, so writers go on whatever the build waits for.

describe('Concurrency: a writer during the key and index steps', () => {
  let db: TestDatabase;
  const clients: pg.Client[] = [];

  async function connect(name: string): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: db.url, application_name: name });
    await client.connect();
    clients.push(client);
    return client;
  }

  beforeEach(async () => {
    ({ db } = await createPreAuditDatabase({ rows: 500, items: ITEMS }));
    await migrateUp(db.sequelize, db.url, { to: migrationBefore(ITEMS_KEYS) });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.end();
    await db.drop();
  });

  it(`when the key and index migrations run on ${ITEMS} items while a writer inserts and updates items and app transactions hold an item for ${HOLD_MS} ms, no write waits ${LIMIT_MS} ms`, async function () {
    this.timeout(120_000);
    const writer = await connect('test-writer');
    const holder = await connect('test-long-transaction');
    const { rows } = await writer.query<{ min: number; max: number; campaign: number }>(
      'SELECT min(id) AS min, max(id) AS max, min(campaign_id) AS campaign FROM items',
    );
    const { min, max, campaign } = rows[0]!;
    const latencies: number[] = [];
    const timed = async (write: () => Promise<unknown>) => {
      const started = process.hrtime.bigint();
      await write();
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    };

    let running = true;
    const writes = (async () => {
      for (let i = 0; running; i++) {
        if (i % 2 === 0) {
          await timed(() =>
            writer.query(
              `INSERT INTO items (name, campaign_id, created_at, updated_at) VALUES ($1, $2, now(), now())`,
              [`written during the migration ${i}`, campaign],
            ),
          );
        } else {
          const id = min + 1 + ((i * 7919) % (max - min));
          await timed(() =>
            writer.query(`UPDATE items SET name = $1, updated_at = now() WHERE id = $2`, [
              `updated during the migration ${i}`,
              id,
            ]),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    // An app transaction starts as each of the items steps does, before its DDL.
    const held: Array<Promise<void>> = [];
    const log = (line: string) => {
      if (!HOLD_DURING.some((name) => line.includes(`${name}: migrating`))) return;
      held.push(
        (async () => {
          await timed(() =>
            holder.query(`BEGIN; UPDATE items SET description = description WHERE id = ${min}`),
          );
          await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
          await holder.query('COMMIT');
        })(),
      );
    };
    const started = Date.now();
    await migrateUp(db.sequelize, db.url, { log });
    const seconds = (Date.now() - started) / 1000;
    await Promise.all(held);
    running = false;
    await writes;

    const worst = Math.max(...latencies);
    console.log(
      `      keys and indexes ${seconds.toFixed(1)} s; ${latencies.length} writes, worst ${worst.toFixed(1)} ms`,
    );
    expect(worst, 'the slowest write (ms)').to.be.below(LIMIT_MS);
    expect(held, 'app transactions held items').to.have.length(HOLD_DURING.length);
    expect(latencies.length).to.be.above(20);
    expect(
      await count(
        db.sequelize,
        `SELECT count(*) AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE c.relname LIKE 'items\\_%\\_idx' AND i.indisvalid`,
      ),
    ).to.be.at.least(4);
  });
});
