import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../../app/app';
import { ConfigError, loadConfig } from '../../../app/config';
import { CURSOR_SECRET_FILE, cursorSecretOf } from '../../../app/cursor-secret';
import { createLogger } from '../../../app/logger';
import { campaignFixture, type CampaignFixture } from '../../support/campaign-fixture';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

// History cursors are the server's: signed with CURSOR_SECRET and bound to
// their list (route, row or campaign, filters). Anything else is a 400 that
// names query.cursor; a real one keeps working across a restart and on
// every instance that shares the secret.

const SECRET = 'a shared cursor secret of 32+ characters';

describe('History cursors are the server’s', () => {
  let db: TestDatabase;
  let f: CampaignFixture;
  let itemIds: number[];

  before(async () => {
    db = await createTestDatabase('latest');
    f = await campaignFixture(db);
    itemIds = [];
    for (const name of ['Lamp', 'Rope', 'Map']) {
      const res = await request(f.app)
        .post('/api/items')
        .set('Authorization', f.owner.auth)
        .send({ campaignId: f.campaignId, name });
      itemIds.push(res.body.id);
      for (const description of ['worn', 'mended', 'lost']) {
        await request(f.app)
          .patch(`/api/items/${res.body.id}`)
          .set('Authorization', f.owner.auth)
          .send({ description })
          .expect(200);
      }
    }
  });
  after(async () => {
    await db?.drop();
  });

  /** The app on the fixture's database with `env` over the test environment. */
  function appWith(env: Record<string, string>): Express {
    return createApp({
      sequelize: db.sequelize,
      logger: createLogger('silent'),
      config: loadConfig({ ...process.env, ...env }),
    });
  }

  const get = (app: Express, url: string) =>
    request(app).get(url).set('Authorization', f.owner.auth);

  /** The first page's cursor of `url` (limit 2). */
  async function firstCursor(app: Express, url: string): Promise<string> {
    const res = await get(app, `${url}${url.includes('?') ? '&' : '?'}limit=2`).expect(200);
    expect(res.body.page.nextCursor, url).to.be.a('string');
    return res.body.page.nextCursor as string;
  }

  function expectCursorRefused(res: request.Response, url: string) {
    expect(res.status, `${url} -> ${res.text}`).to.equal(400);
    expect(res.body.error.code).to.equal('validation_failed');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).to.deep.equal([
      'query.cursor',
    ]);
  }

  const activity = () => `/api/campaigns/${f.campaignId}/activity`;
  const itemHistory = (i: number) => `/api/items/${itemIds[i]}/history`;

  it('when a cursor is made up from its format (base64url of an instant and an id, with or without a dot), answers 400 naming query.cursor', async () => {
    const forged = Buffer.from(JSON.stringify(['2031-05-05T05:05:05.123456Z', '42'])).toString(
      'base64url',
    );
    const withMac = `${forged}.${'A'.repeat(43)}`;
    for (const cursor of [forged, withMac]) {
      for (const url of [activity(), itemHistory(0)]) {
        expectCursorRefused(await get(f.app, `${url}?cursor=${cursor}`), url);
      }
    }
  });

  it('when a real cursor has its id or instant changed, answers 400 naming query.cursor', async () => {
    const cursor = await firstCursor(f.app, activity());
    const [payload, mac] = cursor.split('.') as [string, string];
    const [at, id] = JSON.parse(Buffer.from(payload, 'base64url').toString()) as [string, string];
    const altered = [
      [at, (BigInt(id) + BigInt(1)).toString()],
      [at.replace(/\.\d{6}Z$/, '.999999Z'), id],
    ];
    for (const pair of altered) {
      const changed = `${Buffer.from(JSON.stringify(pair)).toString('base64url')}.${mac}`;
      expectCursorRefused(await get(f.app, `${activity()}?cursor=${changed}`), activity());
    }
    // The untouched cursor still reads the next page.
    await get(f.app, `${activity()}?cursor=${cursor}&limit=2`).expect(200);
  });

  it('when a cursor is used on another route or another row, answers 400 naming query.cursor', async () => {
    const ofItem = await firstCursor(f.app, itemHistory(0));
    expectCursorRefused(await get(f.app, `${itemHistory(1)}?cursor=${ofItem}`), itemHistory(1));
    expectCursorRefused(await get(f.app, `${activity()}?cursor=${ofItem}`), activity());
    const ofActivity = await firstCursor(f.app, activity());
    expectCursorRefused(await get(f.app, `${itemHistory(0)}?cursor=${ofActivity}`), itemHistory(0));
    // The same row under another kind's route is another list.
    const asCharacter = `/api/characters/${itemIds[0]}/history?cursor=${ofItem}`;
    const res = await get(f.app, asCharacter);
    expect(res.status).to.be.oneOf([400, 404]);
    if (res.status === 400) expectCursorRefused(res, asCharacter);
  });

  it('when a cursor is used with other filters, answers 400 naming query.cursor; with the same filters and another limit, 200', async () => {
    const filtered = `${activity()}?kind=item&actor=${f.owner.id}`;
    const cursor = await firstCursor(f.app, filtered);
    for (const other of [
      activity(),
      `${activity()}?kind=item`,
      `${activity()}?kind=campaign&actor=${f.owner.id}`,
      `${filtered}&since=2000-01-01T00:00:00Z`,
      `${filtered}&until=2999-01-01T00:00:00Z`,
    ]) {
      expectCursorRefused(
        await get(f.app, `${other}${other.includes('?') ? '&' : '?'}cursor=${cursor}`),
        other,
      );
    }
    const same = await get(f.app, `${filtered}&cursor=${cursor}&limit=3`).expect(200);
    expect(same.body.data).to.have.length(3);
  });

  it('when two instances share CURSOR_SECRET, a cursor from one reads the same next page on the other; an instance with another secret refuses it', async () => {
    const one = appWith({ CURSOR_SECRET: SECRET });
    const two = appWith({ CURSOR_SECRET: SECRET });
    const other = appWith({ CURSOR_SECRET: `${SECRET} but another` });
    const cursor = await firstCursor(one, activity());
    const onOne = await get(one, `${activity()}?cursor=${cursor}&limit=2`).expect(200);
    const onTwo = await get(two, `${activity()}?cursor=${cursor}&limit=2`).expect(200);
    expect(onTwo.body).to.deep.equal(onOne.body);
    expect(onTwo.body.data).to.have.length(2);
    expectCursorRefused(await get(other, `${activity()}?cursor=${cursor}`), activity());
  });

  it('when no CURSOR_SECRET is set outside tests, a secret is generated once in the data folder and a cursor survives a restart', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-cursor-secret-'));
    try {
      const env = { NODE_ENV: 'development', GMA_DATA_DIR: dataDir, CURSOR_SECRET: '' };
      const before = appWith(env);
      const file = path.join(dataDir, CURSOR_SECRET_FILE);
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
      const cursor = await firstCursor(before, activity());
      const afterRestart = appWith(env);
      await get(afterRestart, `${activity()}?cursor=${cursor}`).expect(200);
      // A new data folder is a new secret.
      const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-cursor-secret-'));
      try {
        const fresh = appWith({ ...env, GMA_DATA_DIR: elsewhere });
        expectCursorRefused(await get(fresh, `${activity()}?cursor=${cursor}`), activity());
      } finally {
        fs.rmSync(elsewhere, { recursive: true, force: true });
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('when CURSOR_SECRET is shorter than 32 characters, the config is refused naming it', () => {
    expect(() => loadConfig({ CURSOR_SECRET: 'short' }))
      .to.throw(ConfigError, /CURSOR_SECRET must be at least 32 characters/)
      .with.property('variable', 'CURSOR_SECRET');
  });

  it('when production runs with DATABASE_URL and no CURSOR_SECRET, the app refuses to start naming it', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://gma@db.example:5432/gma',
    });
    expect(() => cursorSecretOf(config))
      .to.throw(ConfigError, /CURSOR_SECRET is required in production/)
      .with.property('variable', 'CURSOR_SECRET');
  });
});
