import { expect } from 'chai';
import request from 'supertest';
import { JSON_BODY_LIMIT } from '../../../app/app';
import { MAX_JSON_DEPTH } from '../../../app/http/raw-json';
import { campaignFixture, type CampaignFixture } from '../../support/campaign-fixture';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

// The body limits of docs/api.md ("Limits"), the UTF-8-only rule and strict
// ids in bodies, each through the HTTP API, with a fresh look at the database.

describe('Body limits, charsets and strict ids', () => {
  let db: TestDatabase;
  let f: CampaignFixture;

  before(async () => {
    db = await createTestDatabase('latest');
    f = await campaignFixture(db);
  });
  after(async () => {
    await db?.drop();
  });

  const count = async (table: string) =>
    (
      (await db.sequelize.query(`SELECT count(*)::int AS n FROM ${table}`))[0] as Array<{
        n: number;
      }>
    )[0]!.n;

  function sendRaw(path: string, type: string, data: string | Buffer, auth = true) {
    const req = request(f.app).post(path).set('Content-Type', type);
    if (auth) req.set('Authorization', f.owner.auth);
    return req.serialize((body: unknown) => body as string).send(data as string);
  }

  const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

  describe('nesting and size', () => {
    for (const path of ['/api/auth/login', '/api/auth/register', '/api/items']) {
      it(`when ${path} gets 6,000 nested arrays, answers 400 naming body, before any other check`, async () => {
        const before = await count('users');
        const res = await sendRaw(path, 'application/json', `{"name":${nested(6000)}}`, false);
        expect(res.status, res.text).to.equal(400);
        expect(res.body.error.code).to.equal('validation_failed');
        expect(res.body.error.details).to.deep.equal([
          {
            field: 'body',
            message: `nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
          },
        ]);
        expect(await count('users')).to.equal(before);
      });
    }

    it(`when a body nests exactly ${MAX_JSON_DEPTH} levels, it reaches the schema (400 naming the field, not the depth)`, async () => {
      const res = await sendRaw(
        '/api/items',
        'application/json',
        `{"campaignId":1,"name":${nested(MAX_JSON_DEPTH - 1)}}`,
      );
      expect(res.status, res.text).to.equal(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).to.deep.equal([
        'body.name',
      ]);
    });

    it(`when a body has ${MAX_JSON_DEPTH + 1} levels, answers 400 (the limit is exactly ${MAX_JSON_DEPTH})`, async () => {
      const res = await sendRaw(
        '/api/items',
        'application/json',
        `{"campaignId":1,"name":${nested(MAX_JSON_DEPTH)}}`,
      );
      expect(res.status, res.text).to.equal(400);
      expect(res.body.error.details[0].field).to.equal('body');
    });

    it('when brackets sit inside strings, they do not count as nesting', async () => {
      const res = await sendRaw(
        '/api/items',
        'application/json',
        JSON.stringify({ campaignId: f.campaignId, name: '['.repeat(500) + '{'.repeat(500) }),
      );
      expect(res.status, res.text).to.equal(400);
      expect(res.body.error.details[0].field).to.equal('body.name'); // too long, not too deep
    });

    it(`when a body is larger than ${JSON_BODY_LIMIT}, answers 413 with the limit in details and creates nothing`, async () => {
      const before = await count('items');
      const res = await sendRaw(
        '/api/items',
        'application/json',
        JSON.stringify({ campaignId: f.campaignId, name: 'x'.repeat(102_400) }),
      );
      expect(res.status, res.text).to.equal(413);
      expect(res.body.error).to.deep.include({
        code: 'payload_too_large',
        details: { limitBytes: 102_400 },
      });
      expect(await count('items')).to.equal(before);
    });
  });

  describe('charset', () => {
    const body = () => JSON.stringify({ name: 'Charset probe' });
    for (const label of ['utf-8', 'UTF-8', 'Utf-8', '"utf-8"']) {
      it(`when a body is labelled charset=${label}, accepts it (201)`, async () => {
        const res = await sendRaw(
          '/api/campaigns',
          `application/json; charset=${label}`,
          JSON.stringify({ name: `Charset ${label}` }),
        );
        expect(res.status, res.text).to.equal(201);
      });
    }

    for (const label of ['utf-16', 'utf-16le', 'UTF-16BE', 'utf8', 'latin1', 'iso-8859-1', 'x']) {
      it(`when a body is labelled charset=${label}, answers 415 in the JSON error shape and creates nothing`, async () => {
        const before = await count('campaigns');
        const data =
          label.toLowerCase() === 'utf-16le'
            ? Buffer.from(body(), 'utf16le')
            : Buffer.from(body(), 'utf8');
        const res = await sendRaw('/api/campaigns', `application/json; charset=${label}`, data);
        expect(res.status, res.text).to.equal(415);
        expect(res.body.error.code).to.equal('unsupported_media_type');
        expect(res.body.error.message).to.include('UTF-8');
        expect(await count('campaigns')).to.equal(before);
      });
    }

    it('when unlabelled bytes are not UTF-8, answers 400 as before', async () => {
      const res = await sendRaw(
        '/api/campaigns',
        'application/json',
        Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
      );
      expect(res.status, res.text).to.equal(400);
      expect(res.body.error.details).to.deep.equal([
        { field: 'body', message: 'is not valid UTF-8' },
      ]);
    });
  });

  describe('strict ids in bodies', () => {
    // Each form (but -0 and 1e400) has the value of the fixture's campaign id:
    // without the check, the item would be created there.
    const forms: Array<[string, (id: number) => string]> = [
      ['exponent 3.6e+1', (id) => `${id / 10}e+1`],
      ['decimal 36.0', (id) => `${id}.0`],
      ['exponent 36E0', (id) => `${id}E0`],
      ['exponent 360e-1', (id) => `${id}0e-1`],
      ['-0', () => '-0'],
      ['0.0', () => '0.0'],
      ['1e400', () => '1e400'],
    ];
    for (const [name, literal] of forms) {
      it(`when campaignId is written as ${name}, answers 400 naming body.campaignId and creates no item`, async () => {
        const before = await count('items');
        const text = `{"campaignId":${literal(f.campaignId)},"name":"x"}`;
        const res = await sendRaw('/api/items', 'application/json', text);
        expect(res.status, res.text).to.equal(400);
        expect(res.body.error.details.map((d: { field: string }) => d.field)).to.deep.equal([
          'body.campaignId',
        ]);
        expect(await count('items')).to.equal(before);
      });
    }

    for (const literal of ['"36"', '0x24', '+36']) {
      it(`when campaignId is ${literal}, answers 400 (a string or malformed JSON) and creates nothing`, async () => {
        const before = await count('items');
        const res = await sendRaw(
          '/api/items',
          'application/json',
          `{"campaignId":${literal},"name":"x"}`,
        );
        expect(res.status, res.text).to.equal(400);
        expect(await count('items')).to.equal(before);
      });
    }

    it('when campaignId is a plain decimal integer, creates the item in that campaign', async () => {
      const res = await sendRaw(
        '/api/items',
        'application/json',
        `{"name":"Plain id","campaignId":${f.campaignId}}`,
      );
      expect(res.status, res.text).to.equal(201);
      const [rows] = (await db.sequelize.query(
        `SELECT campaign_id FROM items WHERE id = ${Number(res.body.id)}`,
      )) as [Array<{ campaign_id: number }>, unknown];
      expect(rows[0]!.campaign_id).to.equal(f.campaignId);
    });

    it('when a loose number sits in a string or a key, it is text, not a number', async () => {
      const res = await sendRaw(
        '/api/items',
        'application/json',
        `{"name":"1e3 and 36.0","campaignId":${f.campaignId}}`,
      );
      expect(res.status, res.text).to.equal(201);
    });

    it('when another body id (playerOwnerId of a character) is written 7.0, it is named', async () => {
      const res = await sendRaw(
        '/api/characters',
        'application/json',
        `{"campaignId":${f.campaignId},"name":"Loose","playerOwnerId":${f.player.id}.0}`,
      );
      expect(res.status, res.text).to.equal(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).to.deep.equal([
        'body.playerOwnerId',
      ]);
    });
  });
});
