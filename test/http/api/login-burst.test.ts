import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { startAppServer, type AppServerProcess } from '../../../app/dev/app-server';
import { jsonClient, testApp } from '../../support/api-client';
import { useTestDatabase } from '../../support/test-database';

const PASSWORD = 'correct horse battery';
const BURST = 60;
const LIMIT = 5;

/**
 * Sends BURST logins for one account at once, alternating between the given
 * servers; the right password sits in the middle. Returns every status and
 * the right password's.
 */
async function burst(bases: string[]): Promise<{ statuses: number[]; right: number }> {
  const calls = Array.from({ length: BURST }, (_, i) => {
    const call = jsonClient(bases[i % bases.length]!);
    const password = i === BURST / 2 ? PASSWORD : `wrong guess ${i}`;
    return call('POST', '/api/auth/login', { username: 'alice', password });
  });
  const responses = await Promise.all(calls);
  return { statuses: responses.map((r) => r.status), right: responses[BURST / 2]!.status };
}

/** Attempts that were checked against the password: a 401 or a 200 (a 429 never reached scrypt). */
const checked = (statuses: number[]) => statuses.filter((s) => s === 401 || s === 200).length;

describe('Login limit under a burst', function () {
  this.timeout(120_000);
  const db = useTestDatabase('latest');

  it('when 60 logins for one account arrive at once on a real port, at most the limit are checked against the password and the right password inside the burst gets 429', async () => {
    const app = testApp(db.current);
    const server: Server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const call = jsonClient(base);
      expect(
        (
          await call('POST', '/api/auth/register', {
            username: 'alice',
            email: 'a@x.test',
            password: PASSWORD,
          })
        ).status,
      ).to.equal(201);
      const { statuses, right } = await burst([base]);
      expect(checked(statuses), `statuses: ${statuses.join(',')}`).to.be.at.most(LIMIT);
      expect(statuses.filter((s) => s === 429)).to.have.length.at.least(BURST - LIMIT);
      expect(right).to.equal(429);
      const [[row]] = (await db.current.sequelize.query(
        'SELECT count(*)::int AS n FROM auth_tokens',
      )) as [Array<{ n: number }>, unknown];
      expect(row!.n, 'no token was issued').to.equal(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('when the burst is spread over two app processes sharing one database, the limit still holds for both together', async () => {
    const processes: AppServerProcess[] = [];
    try {
      processes.push(
        ...(await Promise.all(
          [0, 1].map(() => startAppServer({ DATABASE_URL: db.current.url, LOG_LEVEL: 'silent' })),
        )),
      );
      await Promise.all(processes.map((p) => p.ready()));
      const bases = processes.map((p) => p.base);
      const register = await jsonClient(bases[0]!)('POST', '/api/auth/register', {
        username: 'alice',
        email: 'a@x.test',
        password: PASSWORD,
      });
      expect(register.status).to.equal(201);
      const { statuses, right } = await burst(bases);
      expect(checked(statuses), `statuses: ${statuses.join(',')}`).to.be.at.most(LIMIT);
      expect(right).to.equal(429);
      // Both processes answered some of the 429s: the count is shared, not per process.
      const perProcess = [0, 1].map(
        (p) => statuses.filter((s, i) => i % 2 === p && s === 429).length,
      );
      expect(Math.min(...perProcess)).to.be.above(0);
    } finally {
      await Promise.all(processes.map((p) => p.stop()));
    }
  });
});
