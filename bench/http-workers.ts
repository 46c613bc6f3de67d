// One worker against N: reads, updates and creates of items through two real
// server processes (app/server.ts on real ports) on the same database, one
// with WEB_CONCURRENCY=1 (a single process) and one with N workers (default:
// this machine's available cores), driven by autocannon from this process.
// Each round runs both back to back, in alternating order; the table shows
// the median of the rounds: requests per second, and requests per CPU-second
// of the server's processes (primary and workers) and of those plus
// PostgreSQL's. autocannon shares the machine: on few cores it takes a share
// the workers would otherwise get.
//   npm run bench:http-workers
//   BENCH_WORKERS=4 BENCH_HTTP_ROUNDS=5 npm run bench:http-workers
import os from 'node:os';
import type pg from 'pg';
import autocannon from 'autocannon';
import { startAppServer, type AppServerProcess } from '../app/dev/app-server';
import { parentPid, processTreeCpuMs } from './support/cpu';
import { prepareItemWrites } from './support/item-writes';
import { runOnMigratedDatabase } from './support/migrated-bench';
import { envInt, printTable, quantile } from './support/report';

const DATABASE = 'bench_http_workers';

function appEnv(url: string, workers: number): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    MIGRATE_ON_START: 'false',
    CURSOR_SECRET: 'bench-only-cursor-secret-of-32-characters-or-more',
    PASSWORD_SCRYPT_LOG_N: '14',
    SHUTDOWN_DELAY_MS: '0',
    WEB_CONCURRENCY: String(workers),
  };
}

interface Side {
  name: string;
  server: AppServerProcess;
}

/** Waits until the server answers and, with several workers, every one of them serves. */
async function allServing(server: AppServerProcess, workers: number): Promise<void> {
  await server.ready(120_000);
  const deadline = Date.now() + 120_000;
  const serving = async () => {
    const text = await (await fetch(`${server.base}/metrics`)).text();
    return new RegExp(`^gma_cluster_workers ${workers}$`, 'm').test(text);
  };
  while (workers > 1 && !(await serving())) {
    if (Date.now() > deadline) throw new Error(`workers not serving: ${server.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function compare(url: string, client: pg.Client): Promise<void> {
  const seconds = envInt('BENCH_HTTP_SECONDS', 6);
  const rounds = envInt('BENCH_HTTP_ROUNDS', 3);
  const connections = envInt('BENCH_HTTP_CONNECTIONS', 16);
  const workers = envInt('BENCH_WORKERS', os.availableParallelism());
  const [loadBefore] = os.loadavg();
  const single = await startAppServer(appEnv(url, 1));
  const cluster = await startAppServer(appEnv(url, workers));
  try {
    await Promise.all([allServing(single, 1), allServing(cluster, workers)]);
    const { headers, create, update, read } = await prepareItemWrites(single.base);
    const endpoints: Record<string, autocannon.Request> = {
      'GET /api/items/:id': read,
      'PATCH /api/items/:id': update,
      'POST /api/items': create,
    };
    const sides: Side[] = [
      { name: '1 worker', server: single },
      { name: `${workers} workers`, server: cluster },
    ];
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const postmaster = parentPid(rows[0]!.pid);
    console.log(
      `### HTTP with 1 worker and with ${workers} (${connections} connections, ${seconds} s per run, ${rounds} rounds; load ${loadBefore!.toFixed(2)} at start)\n`,
    );
    for (const side of sides) {
      for (const request of Object.values(endpoints)) {
        await autocannon({
          url: side.server.base,
          connections,
          duration: 2,
          headers,
          requests: [request],
        });
      }
    }
    const figures = new Map<string, { rate: number[]; app: number[]; all: number[] }>();
    for (let round = 0; round < rounds; round++) {
      for (const [endpoint, request] of Object.entries(endpoints)) {
        const order = round % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) {
          console.error(`round ${round + 1}: ${endpoint}, ${side.name}...`);
          const appBefore = processTreeCpuMs(side.server.pid);
          const pgBefore = processTreeCpuMs(postmaster);
          const result = await autocannon({
            url: side.server.base,
            connections,
            duration: seconds,
            headers,
            requests: [request],
          });
          const appMs = processTreeCpuMs(side.server.pid) - appBefore;
          const pgMs = processTreeCpuMs(postmaster) - pgBefore;
          if (result.non2xx > 0 || result.errors > 0) {
            throw new Error(
              `${side.name}: ${result.non2xx} non-2xx, ${result.errors} errors on ${endpoint}`,
            );
          }
          const key = `${endpoint}|${side.name}`;
          const entry = figures.get(key) ?? { rate: [], app: [], all: [] };
          entry.rate.push(result.requests.average);
          entry.app.push(result.requests.total / (appMs / 1000));
          entry.all.push(result.requests.total / ((appMs + pgMs) / 1000));
          figures.set(key, entry);
        }
      }
    }
    const median = (values: number[]) => Math.round(quantile(values, 0.5));
    const [one, many] = sides as [Side, Side];
    printTable(
      [
        'endpoint',
        'workers',
        'req/s',
        'vs 1 worker',
        'req per server CPU-s',
        'req per CPU-s (server + PostgreSQL)',
      ],
      Object.keys(endpoints).flatMap((endpoint) =>
        [one, many].map((side) => {
          const f = figures.get(`${endpoint}|${side.name}`)!;
          const base = figures.get(`${endpoint}|${one.name}`)!;
          return [
            endpoint,
            side.name,
            median(f.rate),
            side === one ? '' : `${(median(f.rate) / median(base.rate)).toFixed(2)}x`,
            median(f.app),
            median(f.all),
          ];
        }),
      ),
    );
    console.log(
      `median of ${rounds} rounds; server CPU counts the primary and its workers; autocannon runs on the same machine`,
    );
  } finally {
    await Promise.all([single.stop(), cluster.stop()]);
  }
}

runOnMigratedDatabase(
  DATABASE,
  'Usage: npm run bench:http-workers\n\nItem reads, updates and creates through one worker and through BENCH_WORKERS (default: available cores).\nBENCH_HTTP_SECONDS, BENCH_HTTP_ROUNDS, BENCH_HTTP_CONNECTIONS tune the runs; BENCH_DATABASE_URL uses a server of yours.',
  compare,
);
