import type pg from 'pg';
import { runBench, withClient } from './bench-server';
import { migrate } from './datasets';

/**
 * A benchmark's main: `--help` prints `help`; otherwise `fn` runs on a
 * freshly migrated database `database` of the bench server (a client on it
 * and its URL), which is dropped afterwards.
 */
export function runOnMigratedDatabase(
  database: string,
  help: string,
  fn: (url: string, client: pg.Client) => Promise<void>,
): void {
  if (process.argv.includes('--help')) {
    console.log(help);
    return;
  }
  runBench(async (server) => {
    await server.admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await server.admin(`CREATE DATABASE ${database}`);
    await migrate(server, database);
    const url = server.url(database);
    await withClient(url, (client) => fn(url, client));
    await server.admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });
}
