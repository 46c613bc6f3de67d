import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { jsonClient, testApp } from '../../support/api-client';
import { useTestDatabase } from '../../support/test-database';
import { describeEachConnection } from '../../support/connections';

// A real listening server and real concurrent fetches: the actor travels with
// each request through the request context, so interleaved requests from
// different users must never stamp each other's rows.

const USERS = 100;

describeEachConnection('Concurrent writes over a real port', (via) => {
  const db = useTestDatabase('latest', via);
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it(`when ${USERS} users write at once, every row is attributed to its writer and none fails`, async function () {
    this.timeout(120_000);
    // Every login comes from one address at once: its in-flight reservations
    // would count against the per-address limit, which is not what this tests.
    const app = testApp(db.current, { maxFailuresPerAddress: 10_000 });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const call = jsonClient(base);

    // Setup: users sign up and log in, all join one campaign as GMs.
    const users = await Promise.all(
      Array.from({ length: USERS }, async (_, i) => {
        const username = `writer${i}`;
        const password = 'correct horse battery';
        const reg = await call('POST', '/api/auth/register', {
          username,
          email: `${username}@example.test`,
          password,
        });
        expect(reg.status).to.equal(201);
        const login = await call('POST', '/api/auth/login', { username, password });
        expect(login.status).to.equal(200);
        return { id: reg.body.id as number, token: login.body.token as string };
      }),
    );
    const owner = users[0]!;
    const campaign = await call('POST', '/api/campaigns', { name: 'Crowded' }, owner.token);
    const added = await Promise.all(
      users.slice(1).map(async (user, i) => {
        const invitation = await call(
          'POST',
          `/api/campaigns/${campaign.body.id}/invitations`,
          { username: `writer${i + 1}`, role: 'GM' },
          owner.token,
        );
        return call('POST', `/api/invitations/${invitation.body.id}/accept`, undefined, user.token);
      }),
    );
    expect(added.every((r) => r.status === 200)).to.equal(true);

    // 200 creates at once, one per user.
    const created = await Promise.all(
      users.map((user, i) =>
        call(
          'POST',
          '/api/items',
          { campaignId: campaign.body.id, name: `Item of ${i}` },
          user.token,
        ),
      ),
    );
    expect(created.map((r) => r.status)).to.deep.equal(users.map(() => 201));

    // 200 updates at once: each user edits the next user's item.
    const updated = await Promise.all(
      users.map((user, i) =>
        call(
          'PATCH',
          `/api/items/${created[(i + 1) % USERS]!.body.id}`,
          { description: `by ${i}` },
          user.token,
        ),
      ),
    );
    expect(updated.map((r) => r.status)).to.deep.equal(users.map(() => 200));

    const [rows] = await db.current.sequelize.query(
      'SELECT name, description, created_by, modified_by FROM items ORDER BY id',
    );
    const byName = new Map((rows as Array<{ name: string }>).map((r) => [r.name, r]));
    expect(byName.size).to.equal(USERS);
    users.forEach((user, i) => {
      const editor = (i - 1 + USERS) % USERS;
      expect(byName.get(`Item of ${i}`), `Item of ${i}`).to.deep.equal({
        name: `Item of ${i}`,
        description: `by ${editor}`,
        created_by: user.id,
        modified_by: users[editor]!.id,
      });
    });
  });
});
