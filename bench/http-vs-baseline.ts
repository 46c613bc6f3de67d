// The HTTP API against an earlier version of itself: creates, updates and
// reads of items through two real server processes (app/server.ts on real
// ports) on the same database, this checkout and BENCH_BASELINE (a commit;
// by default the one before the request hardening: strict bodies, signed
// cursors, the contract), driven by autocannon. The two servers run back to
// back in each round, in alternating order, and each round's ratio is taken
// on its own: the machine's load drifts, so only runs close in time compare.
//   npm run bench:http-baseline
//   BENCH_BASELINE=<commit> BENCH_HTTP_ROUNDS=7 npm run bench:http-baseline
import type pg from 'pg';
import autocannon from 'autocannon';
import { startAppServer, type AppServerProcess } from '../app/dev/app-server';
import { checkoutAt, commitBefore } from './support/checkout';
import { parentPid, processCpuMs, processTreeCpuMs } from './support/cpu';
import { prepareItemWrites } from './support/item-writes';
import { runOnMigratedDatabase } from './support/migrated-bench';
import { envInt, printTable, quantile } from './support/report';

const DATABASE = 'bench_http_baseline';

function appEnv(url: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    MIGRATE_ON_START: 'false',
    CURSOR_SECRET: 'bench-only-cursor-secret-of-32-characters-or-more',
    PASSWORD_SCRYPT_LOG_N: '14',
  };
}

interface Side {
  name: string;
  server: AppServerProcess;
}

/** Median and range over rounds of `a` against `b` of the same round, in per cent. */
function paired(a: number[], b: number[]): string {
  const ratios = a.map((value, i) => (value / b[i]! - 1) * 100);
  const signed = (x: number) => `${x > 0 ? '+' : ''}${x.toFixed(1)}`;
  return `${signed(quantile(ratios, 0.5))} % (${signed(Math.min(...ratios))}..${signed(Math.max(...ratios))})`;
}

async function compare(url: string, client: pg.Client): Promise<void> {
  const seconds = envInt('BENCH_HTTP_SECONDS', 6);
  const rounds = envInt('BENCH_HTTP_ROUNDS', 5);
  const connections = envInt('BENCH_HTTP_CONNECTIONS', 8);
  const baseline = process.env.BENCH_BASELINE || commitBefore('app/http/raw-json.ts');
  const checkout = checkoutAt(baseline);
  const current = await startAppServer(appEnv(url));
  const previous = await startAppServer(appEnv(url), checkout.root);
  try {
    await Promise.all([current.ready(), previous.ready()]);
    const { headers, create, update, read } = await prepareItemWrites(current.base);
    const endpoints: Record<string, autocannon.Request> = {
      'POST /api/items': create,
      'PATCH /api/items/:id': update,
      'GET /api/items/:id': read,
    };
    const sides: Side[] = [
      { name: 'this checkout', server: current },
      { name: `baseline ${baseline.slice(0, 7)}`, server: previous },
    ];
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const postmaster = parentPid(rows[0]!.pid);
    console.log(
      `### HTTP against ${baseline.slice(0, 7)} (${connections} connections, ${seconds} s per run, ${rounds} rounds)\n`,
    );
    // Each server warms up (JIT, pool) on each endpoint before any figure is taken.
    for (const side of sides) {
      for (const request of Object.values(endpoints)) {
        await autocannon({
          url: side.server.base,
          connections,
          duration: 3,
          headers,
          requests: [request],
        });
      }
    }
    const rate = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    const push = (map: Map<string, number[]>, key: string, value: number) =>
      map.set(key, [...(map.get(key) ?? []), value]);
    for (let round = 0; round < rounds; round++) {
      for (const [endpoint, request] of Object.entries(endpoints)) {
        const order = round % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) {
          console.error(`round ${round + 1}: ${endpoint}, ${side.name}...`);
          const cpuBefore = processCpuMs(side.server.pid) + processTreeCpuMs(postmaster);
          const result = await autocannon({
            url: side.server.base,
            connections,
            duration: seconds,
            headers,
            requests: [request],
          });
          const used = processCpuMs(side.server.pid) + processTreeCpuMs(postmaster) - cpuBefore;
          if (result.non2xx > 0)
            throw new Error(`${side.name}: ${result.non2xx} non-2xx answers to ${endpoint}`);
          push(rate, `${endpoint}|${side.name}`, result.requests.average);
          push(cpu, `${endpoint}|${side.name}`, used / result.requests.total);
        }
      }
    }
    const [now, then] = sides as [Side, Side];
    printTable(
      [
        'endpoint',
        'req/s now',
        'req/s baseline',
        'req/s vs baseline',
        'CPU/request now',
        'CPU/request vs baseline',
      ],
      Object.keys(endpoints).map((endpoint) => {
        const key = (side: Side) => `${endpoint}|${side.name}`;
        return [
          endpoint,
          Math.round(quantile(rate.get(key(now))!, 0.5)),
          Math.round(quantile(rate.get(key(then))!, 0.5)),
          paired(rate.get(key(now))!, rate.get(key(then))!),
          `${quantile(cpu.get(key(now))!, 0.5).toFixed(2)} ms`,
          paired(cpu.get(key(now))!, cpu.get(key(then))!),
        ];
      }),
    );
    console.log(
      `\nmedian over ${rounds} rounds of each round's ratio (range in brackets); CPU counts the server process and PostgreSQL's`,
    );
  } finally {
    await Promise.all([current.stop(), previous.stop()]);
    checkout.dispose();
  }
}

runOnMigratedDatabase(
  DATABASE,
  'Usage: npm run bench:http-baseline\n\nCompares item creates, updates and reads with an earlier commit (BENCH_BASELINE).\nBENCH_HTTP_SECONDS, BENCH_HTTP_ROUNDS, BENCH_HTTP_CONNECTIONS tune the runs; BENCH_DATABASE_URL uses a server of yours.',
  compare,
);
