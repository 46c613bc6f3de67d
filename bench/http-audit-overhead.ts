// Audit overhead on the hot path: HTTP creates and updates of items through
// the real API on a real port, driven by autocannon, as shipped (the audit
// mixin's hooks and the database's audit triggers), with the triggers
// disabled, and with neither (hooks removed by name). Modes alternate over
// rounds and the best round of each is printed: on a shared 2-core machine
// the noise is larger than the differences measured. One user edits its own
// items again and again: the triggers' most expensive case (modified_by
// unchanged, so both UPDATE triggers run).
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { createApp } from '../app/app';
import { loadConfig } from '../app/config';
import { createSequelize } from '../app/db/sequelize';
import { modelHooks } from '../app/db/sequelize-internals';
import { createLogger } from '../app/logger';
import { Character, Item, Location, initModels } from '../models';
import { startBenchServer } from './support/bench-server';
import { migrate } from './support/datasets';
import { prepareItemWrites } from './support/item-writes';
import { envInt, machineLine, printTable } from './support/report';

const AUDITED = [Character, Item, Location];
const HOOK_TYPES = [
  'beforeCreate',
  'beforeUpdate',
  'beforeBulkCreate',
  'beforeBulkUpdate',
  'beforeUpsert',
] as const;

type Hooks = Record<string, unknown[]>;
const hooksOf = (model: (typeof AUDITED)[number]) => modelHooks(model);

/** Turns the audit hooks off (removed by their name, "audit") or back on (restored as they were). */
function auditHooks(saved: Map<unknown, Hooks>, on: boolean): void {
  for (const model of AUDITED) {
    if (on) {
      Object.assign(hooksOf(model), saved.get(model));
    } else {
      const hooks = model as unknown as { removeHook(type: string, name: string): void };
      for (const type of HOOK_TYPES) hooks.removeHook(type, 'audit');
    }
  }
}

async function main(): Promise<void> {
  const seconds = envInt('BENCH_HTTP_SECONDS', 8);
  const rounds = envInt('BENCH_HTTP_ROUNDS', 2);
  const connections = envInt('BENCH_HTTP_CONNECTIONS', 8);
  const server = await startBenchServer();
  await server.admin('DROP DATABASE IF EXISTS bench_http WITH (FORCE)');
  await server.admin('CREATE DATABASE bench_http');
  await migrate(server, 'bench_http');
  const sequelize = createSequelize(server.url('bench_http'), { pool: { max: 10 } });
  initModels(sequelize);
  const config = {
    ...loadConfig({ ...process.env, NODE_ENV: 'production' }),
    passwordScryptLogN: 10,
  };
  const app = createApp({ sequelize, logger: createLogger('silent'), config });
  const http = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => http.once('listening', resolve));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  try {
    console.log(
      `## Audit overhead on the hot path: HTTP through the API (${connections} connections, ${seconds} s per run)\n`,
    );
    const { headers, create, update } = await prepareItemWrites(base);
    const endpoints: Record<string, autocannon.Request> = {
      'POST /api/items (create)': create,
      'PATCH /api/items/:id (update)': update,
    };

    const saved = new Map(
      AUDITED.map((m) => [
        m as unknown,
        Object.fromEntries(Object.entries(hooksOf(m)).map(([k, v]) => [k, [...v]])) as Hooks,
      ]),
    );
    const modes = [
      { mode: 'hooks + triggers', hooks: true, triggers: true },
      { mode: 'hooks only', hooks: true, triggers: false },
      { mode: 'neither', hooks: false, triggers: false },
    ];
    const best = new Map<string, autocannon.Result>();
    for (let round = 0; round < rounds; round++) {
      for (const { mode, hooks, triggers } of modes) {
        auditHooks(saved, hooks);
        await sequelize.query(`ALTER TABLE items ${triggers ? 'ENABLE' : 'DISABLE'} TRIGGER USER`);
        for (const [name, request] of Object.entries(endpoints)) {
          console.error(`round ${round + 1}: ${name}, ${mode}...`);
          const result = await autocannon({
            url: base,
            connections,
            duration: seconds,
            headers,
            requests: [request],
          });
          const key = `${name}|${mode}`;
          const previous = best.get(key);
          if (!previous || result.requests.average > previous.requests.average)
            best.set(key, result);
        }
      }
    }
    auditHooks(saved, true);
    await sequelize.query('ALTER TABLE items ENABLE TRIGGER USER');

    const [stamped] = await sequelize.query(
      `SELECT count(*) FILTER (WHERE modified_by IS NOT NULL) AS stamped, count(*) AS total FROM items`,
    );
    const change = (a: autocannon.Result, b: autocannon.Result) =>
      `${((a.requests.average / b.requests.average - 1) * 100).toFixed(1)} %`;
    printTable(
      ['endpoint', 'audit', 'req/s', 'p50', 'p99', 'non-2xx', 'vs hooks only', 'vs neither'],
      [...best].map(([key, r]) => {
        const [name, mode] = key.split('|') as [string, string];
        return [
          name,
          mode,
          Math.round(r.requests.average),
          `${r.latency.p50} ms`,
          `${r.latency.p99} ms`,
          r.non2xx + r.errors,
          mode === 'hooks + triggers' ? change(r, best.get(`${name}|hooks only`)!) : '',
          mode === 'neither' ? '' : change(r, best.get(`${name}|neither`)!),
        ];
      }),
    );
    const s = (stamped as Array<{ stamped: string; total: string }>)[0]!;
    console.log(
      `best of ${rounds} alternating rounds; items with modified_by set afterwards: ${s.stamped} of ${s.total} (the runs with neither leave it NULL)`,
    );
    console.log(machineLine(server.version));
  } finally {
    await new Promise((resolve) => http.close(resolve));
    await sequelize.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
