import { createHash } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { signUp, testApp } from '../../support/api-client';
import { useTestDatabase } from '../../support/test-database';

describe('Accounts over HTTP', () => {
  const db = useTestDatabase('latest');
  const password = 'correct horse battery';

  async function one(sql: string, bind: unknown[] = []) {
    const [rows] = await db.current.sequelize.query(sql, { bind });
    return rows[0] as Record<string, unknown>;
  }

  it('when a user registers, answers 201 with the account and stores only a salted scrypt hash', async () => {
    const app = testApp(db.current);
    const res = await request(app)
      .post('/api/auth/register')
      .send({ username: 'alice', email: 'alice@example.test', password, displayName: 'Alice' })
      .expect(201);
    expect(res.body).to.include({
      username: 'alice',
      email: 'alice@example.test',
      displayName: 'Alice',
    });
    expect(res.body).to.not.have.any.keys('password', 'passwordHash', 'password_hash');
    const row = await one('SELECT password_hash FROM users WHERE id = $1', [res.body.id]);
    expect(row.password_hash).to.match(/^scrypt\$\d+\$8\$1\$/);
    expect(row.password_hash).to.not.include(password);
  });

  it('when a user logs in, gets a token that expires, stored only as its SHA-256', async () => {
    const app = testApp(db.current);
    const alice = await signUp(app, 'alice');
    const res = await request(app)
      .post('/api/auth/login')
      .send({ username: 'alice', password })
      .expect(200);
    expect(res.body.user).to.include({ id: alice.id, username: 'alice' });
    const expiresIn = Date.parse(res.body.expiresAt) - Date.now();
    expect(expiresIn).to.be.within(23 * 3_600_000, 24 * 3_600_000 + 1000);
    const sha = createHash('sha256').update(res.body.token).digest('hex');
    const row = await one('SELECT token_hash FROM auth_tokens WHERE token_hash = $1', [sha]);
    expect(row).to.deep.equal({ token_hash: sha });
    const [plain] = await db.current.sequelize.query(
      'SELECT * FROM auth_tokens WHERE token_hash = $1',
      {
        bind: [res.body.token],
      },
    );
    expect(plain).to.deep.equal([]);
  });

  it('when the token is sent, GET /api/me answers the account; without it, 401', async () => {
    const app = testApp(db.current);
    const alice = await signUp(app, 'alice');
    const me = await request(app).get('/api/me').set('Authorization', alice.auth).expect(200);
    expect(me.body).to.include({ id: alice.id, username: 'alice' });
    const anon = await request(app).get('/api/me').expect(401);
    expect(anon.body.error.code).to.equal('unauthorized');
    await request(app).get('/api/me').set('Authorization', `Token ${alice.token}`).expect(401);
    await request(app)
      .get('/api/me')
      .set('Authorization', 'Bearer made-up-token-that-is-long-enough')
      .expect(401);
  });

  it('when the password is wrong or the user unknown, answers the same 401', async () => {
    const app = testApp(db.current);
    await signUp(app, 'alice');
    const wrong = await request(app)
      .post('/api/auth/login')
      .send({ username: 'alice', password: 'nope' })
      .expect(401);
    const unknown = await request(app)
      .post('/api/auth/login')
      .send({ username: 'nobody', password: 'nope' })
      .expect(401);
    expect(wrong.body).to.deep.equal(unknown.body);
  });

  it('when a user logs out, that token stops working and its row is gone; other sessions stay', async () => {
    const app = testApp(db.current);
    const alice = await signUp(app, 'alice');
    const second = await request(app)
      .post('/api/auth/login')
      .send({ username: 'alice', password })
      .expect(200);
    await request(app).post('/api/auth/logout').set('Authorization', alice.auth).expect(204);
    await request(app).get('/api/me').set('Authorization', alice.auth).expect(401);
    await request(app)
      .get('/api/me')
      .set('Authorization', `Bearer ${second.body.token}`)
      .expect(200);
    expect(await one('SELECT count(*)::int AS n FROM auth_tokens')).to.deep.equal({ n: 1 });
  });

  it('when a token has expired, answers 401 asking to log in again', async () => {
    const app = testApp(db.current);
    const alice = await signUp(app, 'alice');
    await db.current.sequelize.query(
      "UPDATE auth_tokens SET expires_at = now() - interval '1 second'",
    );
    const res = await request(app).get('/api/me').set('Authorization', alice.auth).expect(401);
    expect(res.body.error.message).to.match(/expired/);
  });

  it('when an account is deactivated, its tokens stop working and it cannot log in', async () => {
    const app = testApp(db.current);
    const alice = await signUp(app, 'alice');
    await db.current.sequelize.query('UPDATE users SET is_active = false WHERE id = $1', {
      bind: [alice.id],
    });
    await request(app).get('/api/me').set('Authorization', alice.auth).expect(401);
    await request(app).post('/api/auth/login').send({ username: 'alice', password }).expect(401);
  });

  it('when one account fails to log in 5 times, the next attempt gets 429 with Retry-After even with the right password, and others still log in', async () => {
    const app = testApp(db.current);
    await signUp(app, 'alice');
    await signUp(app, 'bob');
    for (let i = 0; i < 5; i += 1) {
      await request(app)
        .post('/api/auth/login')
        .send({ username: 'alice', password: 'guess' })
        .expect(401);
    }
    const blocked = await request(app)
      .post('/api/auth/login')
      .send({ username: 'alice', password })
      .expect(429);
    expect(blocked.body.error.code).to.equal('too_many_requests');
    expect(Number(blocked.headers['retry-after'])).to.be.within(1, 15 * 60);
    await request(app).post('/api/auth/login').send({ username: 'bob', password }).expect(200);
  });

  it('when the login window has passed, the account may try again', async () => {
    const app = testApp(db.current, {
      maxFailuresPerAccount: 2,
      maxFailuresPerAddress: 10,
      windowMs: 200,
    });
    await signUp(app, 'alice');
    for (let i = 0; i < 2; i += 1) {
      await request(app)
        .post('/api/auth/login')
        .send({ username: 'alice', password: 'guess' })
        .expect(401);
    }
    await request(app).post('/api/auth/login').send({ username: 'alice', password }).expect(429);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await request(app).post('/api/auth/login').send({ username: 'alice', password }).expect(200);
  });

  describe('behind a reverse proxy', () => {
    const limits = { maxFailuresPerAccount: 100, maxFailuresPerAddress: 2, windowMs: 60_000 };

    async function failTwiceFrom(app: ReturnType<typeof testApp>, address: string) {
      for (let i = 0; i < 2; i += 1) {
        await request(app)
          .post('/api/auth/login')
          .set('X-Forwarded-For', address)
          .send({ username: `user${i}`, password: 'guess' })
          .expect(401);
      }
    }

    it('when TRUST_PROXY_HOPS=1, failed logins count per forwarded client address', async () => {
      const app = testApp(db.current, limits, { TRUST_PROXY_HOPS: '1' });
      await failTwiceFrom(app, '203.0.113.1');
      await request(app)
        .post('/api/auth/login')
        .set('X-Forwarded-For', '203.0.113.1')
        .send({ username: 'x', password: 'y' })
        .expect(429);
      await request(app)
        .post('/api/auth/login')
        .set('X-Forwarded-For', '203.0.113.2')
        .send({ username: 'x', password: 'y' })
        .expect(401);
    });

    it('when no proxy is trusted, a forged X-Forwarded-For does not escape the limit', async () => {
      const app = testApp(db.current, limits);
      await failTwiceFrom(app, '203.0.113.1');
      await request(app)
        .post('/api/auth/login')
        .set('X-Forwarded-For', '203.0.113.2')
        .send({ username: 'x', password: 'y' })
        .expect(429);
    });
  });
});
