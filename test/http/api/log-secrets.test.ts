import { Writable } from 'node:stream';
import { expect } from 'chai';
import request from 'supertest';
import { createApp } from '../../../app/app';
import { hashToken } from '../../../app/auth/tokens';
import { loadConfig } from '../../../app/config';
import { createLogger } from '../../../app/logger';
import { useTestDatabase } from '../../support/test-database';

/** The fields of a log line these tests read. */
interface LogLine {
  msg?: string;
  req?: { url?: string; remoteAddress?: string };
  res?: { statusCode: number };
  err?: unknown;
}

describe('Logs keep no secrets', () => {
  const db = useTestDatabase('latest');

  it('when a whole session runs, failures and database errors included, the captured log holds no password, hash, token or email it used', async () => {
    let log = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log += chunk.toString();
        done();
      },
    });
    const app = createApp({
      sequelize: db.current.sequelize,
      logger: createLogger('trace', sink),
      config: loadConfig({ ...process.env, LOG_LEVEL: 'trace' }),
    });
    // Writes the database refuses: a 500 whose SQL carries the values.
    await db.current.sequelize.query(
      `ALTER TABLE users ADD CONSTRAINT users_no_refused_domain CHECK (email NOT LIKE '%@refused.test');
       ALTER TABLE items ADD CONSTRAINT items_no_forbidden CHECK (name <> 'Forbidden relic')`,
    );
    const secrets = {
      alicePassword: 'alice-secret-passphrase-1',
      bobPassword: 'bob-secret-passphrase-2',
      wrongPassword: 'guessed-wrong-passphrase-3',
      refusedPassword: 'refused-secret-passphrase-4',
      aliceEmail: 'alice.private@example.test',
      bobEmail: 'bob.private@example.test',
      refusedEmail: 'carol.private@refused.test',
      itemDescription: 'the hidden vault code is 7 4 1 9',
    };

    const register = (username: string, email: string, password: string) =>
      request(app).post('/api/auth/register').send({ username, email, password });
    await register('alice', secrets.aliceEmail, secrets.alicePassword).expect(201);
    await register('bob', secrets.bobEmail, secrets.bobPassword).expect(201);
    await register('carol', secrets.refusedEmail, secrets.refusedPassword).expect(500);
    await request(app)
      .post('/api/auth/login')
      .send({ username: 'alice', password: secrets.wrongPassword })
      .expect(401);
    const alice = (
      await request(app)
        .post('/api/auth/login')
        .send({ username: 'alice', password: secrets.alicePassword })
        .expect(200)
    ).body.token as string;
    const bob = (
      await request(app)
        .post('/api/auth/login')
        .send({ username: 'bob', password: secrets.bobPassword })
        .expect(200)
    ).body.token as string;
    // A careless client puts its token in the query string.
    await request(app)
      .get(`/api/me?access_token=${alice}`)
      .set('Authorization', `Bearer ${alice}`)
      .expect(200);
    await request(app).get('/api/me').set('Authorization', `Bearer ${bob}x`).expect(401);
    const campaign = (
      await request(app)
        .post('/api/campaigns')
        .set('Authorization', `Bearer ${alice}`)
        .send({ name: 'Secret campaign' })
        .expect(201)
    ).body.id as number;
    const invitation = await request(app)
      .post(`/api/campaigns/${campaign}/invitations`)
      .set('Authorization', `Bearer ${alice}`)
      .send({ username: 'bob', role: 'GM' })
      .expect(201);
    await request(app)
      .post(`/api/invitations/${invitation.body.id}/accept`)
      .set('Authorization', `Bearer ${bob}`)
      .expect(200);
    await request(app)
      .post('/api/items')
      .set('Authorization', `Bearer ${bob}`)
      .send({ campaignId: campaign, name: 'Forbidden relic', description: secrets.itemDescription })
      .expect(500);
    await request(app)
      .post('/api/items')
      .set('Authorization', `Bearer ${bob}`)
      .send({ campaignId: campaign, name: 'bad\u0000name', description: secrets.itemDescription })
      .expect(400);
    await request(app).post('/api/auth/logout').set('Authorization', `Bearer ${bob}`).expect(204);

    const [hashes] = (await db.current.sequelize.query(
      'SELECT password_hash AS h FROM users UNION ALL SELECT token_hash FROM auth_tokens',
    )) as [Array<{ h: string }>, unknown];
    const forbidden = [
      ...Object.values(secrets),
      alice,
      bob,
      hashToken(alice),
      hashToken(bob),
      ...hashes.map((r) => r.h).filter((h) => h.length > 8),
      'scrypt$',
      'INSERT INTO',
    ];
    for (const secret of forbidden) {
      expect(log.includes(secret), `the log contains ${secret}`).to.equal(false);
    }
    // The failures are still there, located by what is not secret.
    const failures = log
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { msg: string; err?: Record<string, unknown> })
      .filter((line) => line.msg === 'request failed');
    expect(failures.map((line) => line.err)).to.deep.include.members([
      {
        type: 'SequelizeDatabaseError',
        sqlState: '23514',
        constraint: 'users_no_refused_domain',
        table: 'users',
      },
      {
        type: 'SequelizeDatabaseError',
        sqlState: '23514',
        constraint: 'items_no_forbidden',
        table: 'items',
      },
    ]);
    expect(log).to.include('/api/me?access_token=[redacted]');
  });

  /** The app logging every line at trace level into a string. */
  function loggingApp(env: Record<string, string> = {}) {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const app = createApp({
      sequelize: db.current.sequelize,
      logger: createLogger('trace', sink),
      config: loadConfig({ ...process.env, LOG_LEVEL: 'trace', ...env }),
    });
    const parsed = () => lines.map((line) => JSON.parse(line) as LogLine);
    return { app, lines, parsed };
  }

  it('when TRUST_PROXY_HOPS=1 and X-Forwarded-For names a client, the request log names that client, the address the limiter counts', async () => {
    const { app, parsed } = loggingApp({ TRUST_PROXY_HOPS: '1' });
    await request(app).get('/api/me').set('X-Forwarded-For', '203.0.113.7').expect(401);
    const done = parsed().filter((line) => line.req?.url === '/api/me' && line.res);
    expect(done.map((line) => line.req?.remoteAddress)).to.deep.equal(['203.0.113.7']);
  });

  it('when no proxy is trusted, a forged X-Forwarded-For is not logged as the client', async () => {
    const { app, parsed } = loggingApp({ TRUST_PROXY_HOPS: '0' });
    await request(app).get('/api/me').set('X-Forwarded-For', '203.0.113.7').expect(401);
    const done = parsed().filter((line) => line.req?.url === '/api/me' && line.res);
    expect(done).to.have.length(1);
    expect(done[0]!.req?.remoteAddress).to.match(/127\.0\.0\.1$/);
  });

  it("when the limiter's table is missing, the login answers 503 schema_not_ready and the log holds the driver error's type and SQLSTATE, not its message or stack", async () => {
    const { app, lines, parsed } = loggingApp();
    await db.current.sequelize.query('ALTER TABLE rate_limits RENAME TO rate_limits_gone');
    const res = await request(app)
      .post('/api/auth/login')
      .send({ username: 'alice', password: 'whatever it is' });
    expect(res.status).to.equal(503);
    expect(res.body.error.code).to.equal('schema_not_ready');
    const log = lines.join('\n');
    expect(log).to.not.include('does not exist');
    expect(log).to.not.include('    at ');
    const failed = parsed().filter((line) => line.msg === 'request failed');
    expect(failed).to.have.length(1);
    expect(failed[0]!.err).to.deep.equal({ type: 'error', sqlState: '42P01' });
    const done = parsed().filter((line) => line.req?.url === '/api/auth/login' && line.res);
    expect(done.map((line) => line.err)).to.deep.equal([{ type: 'error', sqlState: '42P01' }]);
  });
});
