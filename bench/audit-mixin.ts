// What the audit mixin costs per write: the same creates and updates with the
// stamp (hooks on) and without it (hooks: false, audit columns set by hand),
// on a throw-away embedded PostgreSQL or on BENCH_DATABASE_URL. The modes
// alternate over several rounds and the best round is printed, since a
// shared machine's noise is larger than the difference being measured.
//   npx tsx bench/audit-mixin.ts [rows per round] [rounds]   (default 1000, 3)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { runAs } from '../app/context';
import { EmbeddedPostgres } from '../app/db/embedded-postgres';
import { migrateUp } from '../app/db/migration-runner';
import { createSequelize } from '../app/db/sequelize';
import { Item, initModels } from '../models';

const ROWS = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 3);

type Mode = (ids: number[]) => Promise<void>;

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-bench-'));
  fs.chmodSync(dataDir, 0o755);
  const embedded = process.env.BENCH_DATABASE_URL
    ? undefined
    : await EmbeddedPostgres.start({ dataDir, database: 'bench', durable: false });
  const url = process.env.BENCH_DATABASE_URL ?? embedded!.url;
  const sequelize = createSequelize(url);
  try {
    await migrateUp(sequelize, url);
    initModels(sequelize);
    const [user] = await sequelize.query<{ id: number }>(
      `INSERT INTO users (username, password_hash, created_at, updated_at)
       VALUES ('bench_' || md5(random()::text), 'x', now(), now()) RETURNING id`,
      { type: QueryTypes.SELECT },
    );
    const [campaign] = await sequelize.query<{ id: number }>(
      `INSERT INTO campaigns (name, created_at, updated_at) VALUES ('bench', now(), now()) RETURNING id`,
      { type: QueryTypes.SELECT },
    );
    const userId = user!.id;
    const campaignId = campaign!.id;
    const audit = { createdBy: userId, modifiedBy: userId };

    // Each mode gets ids of rows it made itself in the same round.
    const modes: Record<string, Mode> = {
      'create, stamped': (ids) =>
        runAs(userId, async () => {
          for (let i = 0; i < ROWS; i++)
            ids.push((await Item.create({ name: 's', campaignId })).id);
        }),
      'create, hooks: false': async (ids) => {
        for (let i = 0; i < ROWS; i++) {
          const values = { name: 'p', campaignId, ...audit } as never;
          ids.push((await Item.create(values, { hooks: false })).id);
        }
      },
      'Model.update by id, stamped': (ids) =>
        runAs(userId, async () => {
          for (const id of ids) await Item.update({ description: 'x' }, { where: { id } });
        }),
      'Model.update by id, hooks: false': async (ids) => {
        for (const id of ids) {
          await Item.update(
            { description: 'x', modifiedBy: userId },
            { where: { id }, hooks: false },
          );
        }
      },
      'no-op save(), stamped': (ids) =>
        runAs(userId, async () => {
          for (const row of await Item.findAll({ where: { id: ids } })) await row.save();
        }),
    };

    const best: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      const stamped: number[] = [];
      const plain: number[] = [];
      for (const [label, run] of Object.entries(modes)) {
        const start = process.hrtime.bigint();
        await run(label.includes('hooks: false') ? plain : stamped);
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        best[label] = Math.min(best[label] ?? Infinity, ms);
      }
    }
    console.log(`${ROWS} rows per mode, one statement each, best of ${ROUNDS} rounds`);
    for (const [label, ms] of Object.entries(best)) {
      const perRow = ((ms * 1000) / ROWS).toFixed(0);
      console.log(
        `${label.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms  ${perRow.padStart(5)} µs/row`,
      );
    }
  } finally {
    await sequelize.close();
    await embedded?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
