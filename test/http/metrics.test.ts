import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import request from 'supertest';
import { createApp } from '../../app/app';
import { runAs, runInContext } from '../../app/context';
import { createLogger } from '../../app/logger';
import { Campaign, Character, Item, User } from '../../models';
import { fillTables } from '../support/fill-tables';
import { sampleValue } from '../support/prometheus-text';
import { useTestDatabase } from '../support/test-database';

describe('GET /metrics', () => {
  const db = useTestDatabase('latest');
  const app = () => createApp({ sequelize: db.current.sequelize, logger: createLogger('silent') });

  async function scrape(server: ReturnType<typeof app>): Promise<string> {
    const res = await request(server).get('/metrics').expect(200);
    expect(res.headers['content-type']).to.match(/^text\/plain/);
    return res.text;
  }

  it('when requests were answered, counts and times them by route pattern and status, never by raw URL', async () => {
    const server = app();
    await request(server).get('/health').expect(200);
    await request(server).get('/health').expect(200);
    await request(server).get('/no/such/page/42').expect(404);
    await request(server).get('/api/items/123').expect(401);

    const text = await scrape(server);
    const health = { method: 'GET', route: '/health', status: '200' };
    expect(sampleValue(text, 'http_requests_total', health)).to.equal(2);
    expect(sampleValue(text, 'http_request_duration_seconds_count', health)).to.equal(2);
    expect(
      sampleValue(text, 'http_requests_total', { route: 'unmatched', status: '404' }),
    ).to.equal(1);
    expect(
      sampleValue(text, 'http_requests_total', { route: '/api/items/:id', status: '401' }),
    ).to.equal(1);
    expect(text).to.not.include('/no/such/page');
    expect(text).to.not.include('/api/items/123');
  });

  it('when scraped, also shows the process metrics: event loop lag, heap, GC, handles, CPU', async () => {
    const text = await scrape(app());
    for (const name of [
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_active_handles_total',
      'process_cpu_user_seconds_total',
    ]) {
      expect(sampleValue(text, name), name).to.be.a('number').and.not.NaN;
    }
    expect(text).to.match(/^# TYPE nodejs_gc_duration_seconds histogram$/m);
    // A single process has no cluster figures.
    expect(text).to.not.match(/^gma_cluster_/m);
  });

  it('when audited rows are written through the models, counts them by table, operation and source', async () => {
    const server = app();
    const user = await User.create({ username: 'gm', email: 'gm@example.test', passwordHash: 'x' });
    const campaign = await runAs(
      user.id,
      () => Campaign.create({ name: 'c', ownerId: user.id }),
      'cli',
    );
    await runAs(
      user.id,
      async () => {
        const hero = await Character.create({
          name: 'hero',
          campaignId: campaign.id,
          playerOwnerId: user.id,
        });
        await hero.update({ description: 'brave' });
        await Item.create({ name: 'sword', campaignId: campaign.id });
      },
      'cli',
    );
    await runInContext({ actor: { userId: user.id }, requestId: 'r1', source: 'http' }, () =>
      Item.create({ name: 'shield', campaignId: campaign.id }),
    );

    const text = await scrape(server);
    const writes = (labels: Record<string, string>) =>
      sampleValue(text, 'gma_audited_writes_total', labels);
    expect(writes({ table: 'campaigns', operation: 'create', source: 'cli' })).to.equal(1);
    expect(writes({ table: 'characters', operation: 'create', source: 'cli' })).to.equal(1);
    expect(writes({ table: 'characters', operation: 'update', source: 'cli' })).to.equal(1);
    expect(writes({ table: 'items', operation: 'create', source: 'cli' })).to.equal(1);
    expect(writes({ table: 'items', operation: 'create', source: 'http' })).to.equal(1);
    expect(writes({ table: 'users' }), 'users are not audited').to.equal(undefined);
  });

  it('when the planner statistics are refreshed, reports the share of NULL audit fields per table and column', async () => {
    const server = app();
    // Autovacuum would analyze them on its own schedule, before the first scrape on a busy machine.
    await db.current.sequelize.query(
      'ALTER TABLE items SET (autovacuum_enabled = false); ALTER TABLE locations SET (autovacuum_enabled = false)',
    );
    await fillTables(db.current.sequelize, 300);
    // Creators nobody knows (the insert trigger fills them by the rule where it can).
    await db.current.sequelize.query('UPDATE items SET created_by = NULL WHERE id % 3 = 0');
    await db.current.sequelize.query('UPDATE locations SET created_by = NULL');
    const before = await scrape(server);
    expect(sampleValue(before, 'gma_audit_null_fraction', { table: 'items' })).to.equal(undefined);

    await db.current.sequelize.query('ANALYZE items, locations');
    const after = await scrape(server);
    const fraction = (table: string) =>
      sampleValue(after, 'gma_audit_null_fraction', { table, column: 'created_by' });
    expect(fraction('items')).to.be.closeTo(1 / 3, 0.01);
    expect(fraction('locations')).to.equal(1);
    expect(sampleValue(after, 'gma_audit_stats_age_seconds', { table: 'items' })).to.be.below(60);
  });

  it('when the database is unreachable, still answers with the HTTP metrics and no audit samples', async () => {
    const server = app();
    await request(server).get('/health');
    await db.current.sequelize.close();
    const text = await scrape(server);
    expect(sampleValue(text, 'http_requests_total', { route: '/health' })).to.equal(1);
    expect(text).to.not.match(/^gma_audit_null_fraction\{/m);
  });

  it('when a scrape carries a body, answers only after reading all of it, and refuses a body that is not JSON', async () => {
    const server = app();
    const refused = await request(server)
      .get('/metrics')
      .set('Content-Type', 'text/plain')
      .send('not json')
      .expect(415);
    expect(refused.body.error.code).to.be.a('string');

    // Half the body, then a pause: an answer before the rest is sent would
    // reach a client still writing as a closed connection.
    const listener = server.listen(0);
    await once(listener, 'listening');
    try {
      const body = Buffer.from(JSON.stringify({ pad: 'x'.repeat(90_000) }));
      const socket = connect((listener.address() as AddressInfo).port, '127.0.0.1');
      await once(socket, 'connect');
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
      socket.write(
        `GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
      );
      socket.write(body.subarray(0, 45_000));
      await sleep(300);
      expect(answer, 'answered before the body was read').to.equal('');
      // Not end(): a half-closed socket is taken as the client leaving.
      socket.write(body.subarray(45_000));
      await once(socket, 'close');
      expect(answer).to.match(/^HTTP\/1\.1 200 /);
    } finally {
      listener.close();
    }
  });
});
