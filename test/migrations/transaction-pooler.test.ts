import { expect } from 'chai';
import pg from 'pg';
import { LockLostError, withAdvisoryLock } from '../../app/db/advisory-lock';
import { assertOwnSession, TransactionPoolerError } from '../../app/db/session-check';
import { startPgBouncer, type PgBouncer } from '../../app/dev/pgbouncer';
import { heldAdvisoryLocks } from '../support/pooled-migration';
import { serverUrl } from '../support/test-server';
import { useTestDatabase } from '../support/test-database';

const ROUNDS = 10;

async function checkOwnSession(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await assertOwnSession(client, { connectionString: url });
  } finally {
    await client.end();
  }
}

function throughPooler(pooler: PgBouncer, database: string): string {
  const url = new URL(pooler.serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

describe('Telling a transaction pooler from a session of its own', () => {
  const db = useTestDatabase('empty', 'pgbouncer');

  it(`when the connection goes through PgBouncer in transaction mode, refuses every time (${ROUNDS} of ${ROUNDS}) naming MIGRATION_DATABASE_URL`, async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const error = await checkOwnSession(db.current.url).catch((e: unknown) => e);
      expect(error, `round ${i}`).to.be.instanceOf(TransactionPoolerError);
      expect((error as Error).message).to.include('MIGRATION_DATABASE_URL');
    }
  });

  it(`when other clients keep the same pool busy meanwhile, still refuses every time (${ROUNDS} of ${ROUNDS})`, async () => {
    let running = true;
    const busy = Array.from({ length: 8 }, async (_, i) => {
      const client = new pg.Client({ connectionString: db.current.url });
      await client.connect();
      try {
        while (running) {
          if (i % 2) await client.query('SELECT pg_sleep(0.002)');
          else {
            await client.query('BEGIN');
            await client.query('SELECT pg_sleep(0.005)');
            await client.query('COMMIT');
          }
        }
      } finally {
        await client.end();
      }
    });
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const error = await checkOwnSession(db.current.url).catch((e: unknown) => e);
        expect(error, `round ${i}`).to.be.instanceOf(TransactionPoolerError);
      }
    } finally {
      running = false;
      await Promise.all(busy);
    }
  });

  it(`when the connection is direct, accepts every time (${ROUNDS} of ${ROUNDS}) and sees no proxy`, async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const result = await checkOwnSession(db.current.directUrl);
      expect(result.proxied).to.equal(false);
    }
  });

  it(`when PgBouncer runs with its default settings (most recently used server first), refuses every time (${ROUNDS} of ${ROUNDS})`, async () => {
    const pooler = await startPgBouncer(serverUrl(), 'transaction', { defaults: true });
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const error = await checkOwnSession(throughPooler(pooler, db.current.name)).catch(
          (e: unknown) => e,
        );
        expect(error, `round ${i}`).to.be.instanceOf(TransactionPoolerError);
      }
    } finally {
      await pooler.stop();
    }
  });

  describe('through PgBouncer in session mode', () => {
    let pooler: PgBouncer | undefined;
    before(async () => {
      pooler = await startPgBouncer(serverUrl(), 'session');
    });
    after(async () => {
      await pooler?.stop();
    });

    it(`accepts every time (${ROUNDS} of ${ROUNDS}), seeing a proxy that keeps the session`, async () => {
      for (let i = 0; i < ROUNDS; i++) {
        const result = await checkOwnSession(throughPooler(pooler!, db.current.name));
        expect(result.proxied).to.equal(true);
      }
    });

    it('when a migrator holding the lock through it disconnects, the lock does not outlive it', async () => {
      const url = throughPooler(pooler!, db.current.name);
      await withAdvisoryLock(url, async () => {
        expect(await heldAdvisoryLocks(db.current.directUrl)).to.equal(1);
      });
      // Also when the holder vanishes without unlocking: PgBouncer resets the session.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query('SELECT pg_advisory_lock(1)');
      await client.end();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await heldAdvisoryLocks(db.current.directUrl)).to.equal(0);
    });
  });

  it('when the migration lock is requested through a transaction pooler, refuses before taking it and no lock is left held', async () => {
    let ran = false;
    const error = await withAdvisoryLock(db.current.url, async () => {
      ran = true;
    }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TransactionPoolerError);
    expect(ran).to.equal(false);
    expect(await heldAdvisoryLocks(db.current.directUrl)).to.equal(0);
  });

  it('when a lock is taken through a transaction pooler anyway (check bypassed), the holder notices its session changed, ends the session holding the lock and stops', async () => {
    const error = await withAdvisoryLock(
      db.current.url,
      async () => {
        await new Promise(() => undefined);
      },
      { sessionCheck: { rounds: 0 }, heartbeatMs: 100 },
    ).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(LockLostError);
    expect((error as Error).message).to.match(/its session changed from process \d+/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await heldAdvisoryLocks(db.current.directUrl)).to.equal(0);
  });
});
