import { expect } from 'chai';
import pg from 'pg';
import sinon from 'sinon';
import request from 'supertest';
import { testApp } from '../../support/api-client';
import { useTestDatabase } from '../../support/test-database';

const password = 'correct horse battery';

describe('Registration limit and the limiter store', () => {
  const db = useTestDatabase('latest');
  afterEach(() => sinon.restore());

  async function users(): Promise<number> {
    const [[row]] = (await db.current.sequelize.query(
      "SELECT count(*)::int AS n FROM users WHERE username <> 'system'",
    )) as [Array<{ n: number }>, unknown];
    return row!.n;
  }

  it('when REGISTER_MAX_PER_ADDRESS=3 and 20 registrations from one address arrive at once, 3 accounts are created and the rest get 429 with Retry-After', async () => {
    const app = testApp(db.current, undefined, { REGISTER_MAX_PER_ADDRESS: '3' });
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(app)
          .post('/api/auth/register')
          .send({ username: `burst${i}`, email: `b${i}@example.test`, password }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).to.have.length(3);
    expect(statuses.filter((s) => s === 429)).to.have.length(17);
    const refused = responses.find((r) => r.status === 429)!;
    expect(refused.body.error.code).to.equal('too_many_requests');
    expect(Number(refused.headers['retry-after'])).to.be.within(1, 3600);
    expect(await users()).to.equal(3);
  });

  it('when one address sends 4 wrong passwords, the right one, 1 wrong and the right one again, the last answers 429 (5 failures stay in the window)', async () => {
    const app = testApp(db.current);
    await request(app)
      .post('/api/auth/register')
      .send({ username: 'alice', email: 'a@example.test', password })
      .expect(201);
    const login = (pw: string) =>
      request(app).post('/api/auth/login').send({ username: 'alice', password: pw });
    const statuses: number[] = [];
    for (const pw of ['w1', 'w2', 'w3', 'w4', password, 'w5', password]) {
      statuses.push((await login(pw)).status);
    }
    expect(statuses).to.deep.equal([401, 401, 401, 401, 200, 401, 429]);
    const [[tokens]] = (await db.current.sequelize.query(
      'SELECT count(*)::int AS n FROM auth_tokens',
    )) as [Array<{ n: number }>, unknown];
    expect(tokens!.n, 'one token: from the one login that succeeded').to.equal(1);
  });

  it('when one address sends 4 wrong passwords and then the right one 3 times, each right one answers 200 (a success gives back its own count)', async () => {
    const app = testApp(db.current);
    await request(app)
      .post('/api/auth/register')
      .send({ username: 'alice', email: 'a@example.test', password })
      .expect(201);
    const login = (pw: string) =>
      request(app).post('/api/auth/login').send({ username: 'alice', password: pw });
    const statuses: number[] = [];
    for (const pw of ['w1', 'w2', 'w3', 'w4', password, password, password]) {
      statuses.push((await login(pw)).status);
    }
    expect(statuses).to.deep.equal([401, 401, 401, 401, 200, 200, 200]);
  });

  it('when 10 registrations of a taken name answer 409 from one address, an 11th with a fresh name is created (only created accounts count)', async () => {
    // The taken name comes from another address, so this one starts at zero.
    const elsewhere = testApp(db.current, undefined, { TRUST_PROXY_HOPS: '1' });
    await request(elsewhere)
      .post('/api/auth/register')
      .set('X-Forwarded-For', '203.0.113.9')
      .send({ username: 'taken', email: 't@example.test', password })
      .expect(201);
    const app = testApp(db.current, undefined, { REGISTER_MAX_PER_ADDRESS: '10' });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const res = await request(app)
        .post('/api/auth/register')
        .send({ username: i % 2 ? 'taken' : 'TAKEN', email: `t${i}@example.test`, password });
      statuses.push(res.status);
    }
    expect(statuses).to.deep.equal(Array(10).fill(409));
    const fresh = await request(app)
      .post('/api/auth/register')
      .send({ username: 'fresh', email: 'f@example.test', password });
    expect(fresh.status, fresh.text).to.equal(201);
    expect(await users()).to.equal(2);
  });

  it('when REGISTER_MAX_PER_ADDRESS=2 and 2 accounts are created, the 3rd registration answers 429 and creates nothing', async () => {
    const app = testApp(db.current, undefined, { REGISTER_MAX_PER_ADDRESS: '2' });
    const register = (name: string) =>
      request(app)
        .post('/api/auth/register')
        .send({ username: name, email: `${name}@example.test`, password });
    expect((await register('first')).status).to.equal(201);
    expect((await register('first')).status).to.equal(409);
    expect((await register('second')).status).to.equal(201);
    expect((await register('third')).status).to.equal(429);
    expect(await users()).to.equal(2);
  });

  it('when logins are counted, every statement of the limiter is a single unnamed one on rate_limits (safe behind a transaction-mode pooler)', async () => {
    const seen: Array<{ text: string; name?: string }> = [];
    const original = pg.Client.prototype.query;
    sinon.stub(pg.Client.prototype, 'query').callsFake(function (
      this: pg.Client,
      ...args: unknown[]
    ) {
      const [query] = args;
      if (query && typeof query === 'object' && 'text' in query) {
        seen.push(query as { text: string; name?: string });
      } else if (typeof query === 'string') seen.push({ text: query });
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof original);
    const app = testApp(db.current);
    await request(app)
      .post('/api/auth/register')
      .send({ username: 'alice', email: 'a@example.test', password })
      .expect(201);
    await request(app)
      .post('/api/auth/login')
      .send({ username: 'alice', password: 'nope' })
      .expect(401);
    await request(app).post('/api/auth/login').send({ username: 'alice', password }).expect(200);
    const limiter = seen.filter((q) => q.text.includes('rate_limits'));
    expect(limiter.length, 'the limiter ran').to.be.at.least(5);
    expect(limiter.filter((q) => q.name !== undefined)).to.deep.equal([]);
    // Self-contained: no session setting, no LISTEN, no transaction left open.
    expect(limiter.filter((q) => /^\s*(SET|LISTEN|BEGIN)\b/i.test(q.text))).to.deep.equal([]);
  });
});
