import type { Connection } from './test-database';

const TITLES: Record<Connection, string> = {
  direct: 'direct connection',
  pgbouncer: 'through PgBouncer in transaction pooling',
};

/**
 * Declares the same tests once per connection: directly to PostgreSQL, and
 * through a real PgBouncer in transaction mode, where consecutive
 * transactions may run on different server sessions. A test that passes
 * both ways depends on no session state.
 */
export function describeEachConnection(title: string, body: (via: Connection) => void): void {
  for (const via of ['direct', 'pgbouncer'] as const) {
    describe(`${title} (${TITLES[via]})`, () => body(via));
  }
}
