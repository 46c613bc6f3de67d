import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../../app/app';
import { createCampaign, signUp, testApp } from '../../support/api-client';
import { useTestDatabase } from '../../support/test-database';

/** An app whose JSON log lines are collected in `lines`. */
function appWithLogs(db: Parameters<typeof testApp>[0]) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const app = createApp({ sequelize: db.sequelize, logger: pino({ level: 'info' }, sink) });
  return { app, lines };
}

describe('Operability', () => {
  const db = useTestDatabase('latest');

  it('when X-Request-Id is sane, echoes it; when it is not or is absent, answers a fresh UUID', async () => {
    const app = testApp(db.current);
    const given = await request(app)
      .get('/health')
      .set('X-Request-Id', 'abc-123.def:9')
      .expect(200);
    expect(given.headers['x-request-id']).to.equal('abc-123.def:9');
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const insane = await request(app)
      .get('/health')
      .set('X-Request-Id', 'a b <script>')
      .expect(200);
    expect(insane.headers['x-request-id']).to.match(uuid);
    const tooLong = await request(app)
      .get('/health')
      .set('X-Request-Id', 'x'.repeat(129))
      .expect(200);
    expect(tooLong.headers['x-request-id']).to.match(uuid);
    const absent = await request(app).get('/nowhere').expect(404);
    expect(absent.headers['x-request-id']).to.match(uuid);
  });

  it('when requests are logged, each line is JSON carrying the request id, and no token appears', async () => {
    const { app, lines } = appWithLogs(db.current);
    const alice = await signUp(app, 'alice');
    await request(app)
      .get('/api/me')
      .set('Authorization', alice.auth)
      .set('X-Request-Id', 'req-me-1')
      .expect(200);
    const line = lines.find((l) => l.reqId === 'req-me-1');
    expect(line, JSON.stringify(lines)).to.not.equal(undefined);
    expect(line).to.include({ msg: 'request completed', level: 30 });
    expect((line!.res as { statusCode: number }).statusCode).to.equal(200);
    expect(JSON.stringify(lines)).to.not.include(alice.token);
  });

  it('when a request fails inside, the error is logged with its request id and the client sees none of it', async () => {
    const { app, lines } = appWithLogs(db.current);
    const alice = await signUp(app, 'alice');
    // A failure the app cannot explain (a missing table would be 503 schema_not_ready).
    await db.current.sequelize.query(`
      CREATE FUNCTION refuse_campaigns() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'campaigns are refused today'; END $$;
      CREATE TRIGGER refuse_campaigns BEFORE INSERT ON campaigns
        FOR EACH ROW EXECUTE FUNCTION refuse_campaigns()`);
    const res = await request(app)
      .post('/api/campaigns')
      .set('Authorization', alice.auth)
      .set('X-Request-Id', 'req-broken')
      .send({ name: 'X' })
      .expect(500);
    expect(JSON.stringify(res.body)).to.not.include('campaigns');
    const errors = lines.filter((l) => l.reqId === 'req-broken' && l.level === 50);
    expect(errors.map((l) => l.msg)).to.include('request failed');
  });

  it('when any response is sent, it carries the security headers and no X-Powered-By', async () => {
    const res = await request(testApp(db.current)).get('/health').expect(200);
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['x-frame-options']).to.equal('SAMEORIGIN');
    expect(res.headers['content-security-policy']).to.include("default-src 'self'");
    expect(res.headers['content-security-policy']).to.not.include('upgrade-insecure-requests');
    expect(res.headers['strict-transport-security']).to.match(/max-age=/);
    expect(res.headers).to.not.have.property('x-powered-by');
  });

  it('when a JSON body arrives in pieces, the write is still attributed to the token’s user', async () => {
    const app = testApp(db.current);
    const alice = await signUp(app, 'alice');
    const campaignId = await createCampaign(app, alice);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const body = JSON.stringify({ campaignId, name: 'Slow' });
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port: (server.address() as AddressInfo).port,
            method: 'POST',
            path: '/api/items',
            headers: {
              authorization: alice.auth,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 5));
        setTimeout(() => req.end(body.slice(5)), 100);
      });
      expect(status).to.equal(201);
    } finally {
      server.close();
    }
    const [rows] = await db.current.sequelize.query(
      "SELECT created_by, modified_by FROM items WHERE name = 'Slow'",
    );
    expect(rows).to.deep.equal([{ created_by: alice.id, modified_by: alice.id }]);
  });
});
