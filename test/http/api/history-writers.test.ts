import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { generateToken, hashToken } from '../../../app/auth/tokens';
import { testApp } from '../../support/api-client';
import { describeEachConnection } from '../../support/connections';
import { useTestDatabase } from '../../support/test-database';

// 200 users write at once over a real port, each with its own X-Request-Id:
// the history must name, for every entry, the user and the request that
// made it. The actor and request id reach the capture trigger through
// transaction-local settings, so this holds through PgBouncer too.

const WRITERS = 200;

describeEachConnection('History of concurrent writers', (via) => {
  const db = useTestDatabase('latest', via);
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it(`when ${WRITERS} users each create and then edit an item at once, every history entry names its writer and the request id it sent`, async function () {
    this.timeout(120_000);
    const sequelize = db.current.sequelize;
    // Accounts, tokens and memberships straight into the tables: what is
    // tested is the writes, not 200 password hashes.
    const tokens = Array.from({ length: WRITERS }, () => generateToken());
    const [users] = (await sequelize.query(
      `INSERT INTO users (username, email, password_hash, display_name, created_at, updated_at)
       SELECT 'writer' || g, 'writer' || g || '@example.test', 'not-a-hash', 'Writer ' || g, now(), now()
         FROM generate_series(0, $1::int - 1) g
       RETURNING id, username`,
      { bind: [WRITERS] },
    )) as [Array<{ id: number; username: string }>, unknown];
    users.sort((a, b) => Number(a.username.slice(6)) - Number(b.username.slice(6)));
    await sequelize.query(
      `INSERT INTO auth_tokens (user_id, token_hash, expires_at, created_at, updated_at)
       SELECT user_id, token_hash, now() + interval '1 hour', now(), now()
         FROM unnest($1::int[], $2::text[]) AS t(user_id, token_hash)`,
      { bind: [users.map((u) => u.id), tokens.map(hashToken)] },
    );

    const app = testApp(db.current);
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const send = async (
      method: string,
      path: string,
      token: string,
      requestId: string,
      body: object,
    ) => {
      const res = await fetch(base + path, {
        method,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'x-request-id': requestId,
        },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { id: number } };
    };

    const campaign = await send('POST', '/api/campaigns', tokens[0]!, 'setup', { name: 'Crowded' });
    expect(campaign.status).to.equal(201);
    await sequelize.query(
      `INSERT INTO campaign_memberships (campaign_id, user_id, role, created_at, updated_at)
       SELECT $1, user_id, 'GM', now(), now() FROM unnest($2::int[]) AS t(user_id)`,
      { bind: [campaign.body.id, users.slice(1).map((u) => u.id)] },
    );

    // Request ids the clients choose, unique per request.
    const createId = (i: number) => `create-${i}-${tokens[i]!.slice(0, 8)}`;
    const editId = (i: number) => `edit-${i}-${tokens[i]!.slice(0, 8)}`;
    const created = await Promise.all(
      users.map((_, i) =>
        send('POST', '/api/items', tokens[i]!, createId(i), {
          campaignId: campaign.body.id,
          name: `Item of ${i}`,
        }),
      ),
    );
    expect(created.map((r) => r.status)).to.deep.equal(users.map(() => 201));
    // Each user edits the next user's item, so the editor is never the creator.
    const edited = await Promise.all(
      users.map((_, i) =>
        send('PATCH', `/api/items/${created[(i + 1) % WRITERS]!.body.id}`, tokens[i]!, editId(i), {
          description: `by ${i}`,
        }),
      ),
    );
    expect(edited.map((r) => r.status)).to.deep.equal(users.map(() => 200));

    // One fresh query: what the history says of every item's create and edit.
    const [rows] = await sequelize.query(
      `SELECT row_id, action, actor_id, request_id, source FROM history_entries
        WHERE table_name = 'items' ORDER BY id`,
    );
    const expected = users.flatMap((user, i) => [
      {
        row_id: created[i]!.body.id,
        action: 'create',
        actor_id: user.id,
        request_id: createId(i),
        source: 'http',
      },
      {
        row_id: created[(i + 1) % WRITERS]!.body.id,
        action: 'update',
        actor_id: user.id,
        request_id: editId(i),
        source: 'http',
      },
    ]);
    const key = (r: { request_id: string }) => r.request_id;
    const sortBy = <T extends { request_id: string }>(list: T[]) =>
      [...list].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sortBy(rows as Array<{ request_id: string }>)).to.deep.equal(sortBy(expected));

    // And over HTTP: each writer's entries in the campaign's activity are its own two.
    const activity = await Promise.all(
      users.map(async (user) => {
        const res = await fetch(
          `${base}/api/campaigns/${campaign.body.id}/activity?kind=item&actor=${user.id}`,
          { headers: { authorization: `Bearer ${tokens[0]}` } },
        );
        const body = (await res.json()) as { data: Array<{ action: string; actor: unknown }> };
        return body.data.map((e) => [e.action, e.actor]);
      }),
    );
    expect(activity).to.deep.equal(
      users.map((user) => {
        const actor = {
          id: user.id,
          username: user.username,
          displayName: `Writer ${user.username.slice(6)}`,
        };
        return [
          ['update', actor],
          ['create', actor],
        ];
      }),
    );
  });
});
