import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { EmbeddedPostgres } from '../../app/db/embedded-postgres';
import { validateDatabaseUrl } from '../../app/config';
import { machineLine } from './report';

/** The PostgreSQL server a benchmark runs on, and how to make databases on it. */
export interface BenchServer {
  /** URL of a database on this server. */
  url(database: string): string;
  /** Runs SQL on the maintenance database (CREATE/DROP DATABASE). */
  admin(sql: string): Promise<void>;
  version: string;
  stop(): Promise<void>;
}

/**
 * Starts a throw-away embedded PostgreSQL, durable (fsync on) so figures are
 * fair, or uses the server BENCH_DATABASE_URL names (its role needs CREATEDB).
 */
export async function startBenchServer(): Promise<BenchServer> {
  let base: string;
  let embedded: EmbeddedPostgres | undefined;
  let dataDir: string | undefined;
  const external = process.env.BENCH_DATABASE_URL;
  if (external) {
    base = validateDatabaseUrl(external, 'BENCH_DATABASE_URL');
  } else {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-bench-pg-'));
    fs.chmodSync(dataDir, 0o755);
    embedded = await EmbeddedPostgres.start({ dataDir, database: 'postgres', durable: true });
    base = embedded.url;
  }
  const url = (database: string) => {
    const parsed = new URL(base);
    parsed.pathname = `/${database}`;
    return parsed.toString();
  };
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url(new URL(base).pathname.slice(1)) });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  const { rows } = await client.query<{ v: string }>('SELECT version() AS v');
  await client.end();
  return {
    url,
    admin,
    version: rows[0]!.v,
    async stop() {
      await embedded?.stop();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` with a pg client on `url`, then closes it. */
export async function withClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A benchmark's main: starts the server, runs `fn` on it, prints the
 * machine line, stops the server; a failure prints its stack and exits 1.
 */
export function runBench(fn: (server: BenchServer) => Promise<void>): void {
  const main = async () => {
    const server = await startBenchServer();
    try {
      await fn(server);
      console.log(machineLine(server.version));
    } finally {
      await server.stop();
    }
  };
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
