import { expect } from 'chai';
import fc from 'fast-check';
import request from 'supertest';
import { campaignFixture, type CampaignFixture } from '../../support/campaign-fixture';
import { dataFingerprint } from '../../support/fingerprint';
import { useTestDatabase } from '../../support/test-database';

// Every operation of the OpenAPI document, for a bounded time: each request
// makes one parameter or body field hostile (NUL, surrogates, odd and huge
// numbers, non-decimal ids, impossible dates, wrong types) and fills the
// others with valid values or leaves them out, so that the hostile value
// reaches as deep as the rest of the request allows. No request may answer
// 5xx, and a refused one (4xx) may change nothing in the database.
// FUZZ_SECONDS (default 20); a failure prints the seed and path, to replay:
// FUZZ_SEED=<seed> FUZZ_PATH=<path>.

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 20);

/** Counts kept on purpose for refused attempts: the login and registration limits. */
const COUNTERS = ['rate_limits'];

interface Schema {
  type?: string;
  format?: string;
  enum?: string[];
  $ref?: string;
  properties?: Record<string, Schema>;
}

type Kind = 'id' | 'integer' | 'date' | 'enum' | 'boolean' | 'string';

interface Field {
  where: 'path' | 'query' | 'body';
  name: string;
  kind: Kind;
  enumValues?: string[];
}

interface Operation {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  fields: Field[];
}

interface Doc {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Array<{ name: string; in: string; schema: Schema }>;
        requestBody?: { content: Record<string, { schema: Schema }> };
      }
    >
  >;
  components: { schemas: Record<string, Schema> };
}

function resolve(doc: Doc, schema: Schema): Schema {
  return schema.$ref
    ? resolve(doc, doc.components.schemas[schema.$ref.split('/').pop()!]!)
    : schema;
}

function kindOf(name: string, schema: Schema): Kind {
  if (schema.enum) return 'enum';
  if (schema.type === 'boolean') return 'boolean';
  if (schema.format === 'date-time') return 'date';
  if (schema.type === 'integer') return /id$/i.test(name) ? 'id' : 'integer';
  return 'string';
}

function operations(doc: Doc): Operation[] {
  const result: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const fields: Field[] = (op.parameters ?? []).map((p) => ({
        where: p.in as 'path' | 'query',
        name: p.name,
        kind: kindOf(p.name, p.schema),
        enumValues: p.schema.enum,
      }));
      const body = op.requestBody?.content['application/json']?.schema;
      for (const [name, raw] of Object.entries(body ? (resolve(doc, body).properties ?? {}) : {})) {
        const schema = resolve(doc, raw);
        fields.push({ where: 'body', name, kind: kindOf(name, schema), enumValues: schema.enum });
      }
      result.push({ method: method as Operation['method'], path, fields });
    }
  }
  return result;
}

const NUL_AND_SURROGATES = ['\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '\udbff'];
const NOT_DECIMAL = ['0x1', '+1', '1e3', ' 1', '1 ', '-1', '0', '1.5', 'NaN', 'Infinity', '١'];
const OUT_OF_RANGE = ['2147483648', '99999999999', '99999999999999999999999'];
const BAD_DATES = [
  '0000-01-01T00:00:00Z',
  '1899-12-31T23:59:59Z',
  '10000-01-01T00:00:00Z',
  '2025-02-30T00:00:00Z',
  '2025-13-01T00:00:00Z',
  '2025-01-01T25:00:00Z',
];
const WRONG_TYPES: unknown[] = [null, true, [], {}, [1], { a: 1 }];
const ODD_NUMBERS: unknown[] = [0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, Number.MIN_VALUE];

/** Hostile values for one field, mostly the ones its kind invites, by where it travels. */
function hostile(field: Field): fc.Arbitrary<unknown> {
  const inUrl = field.where !== 'body';
  const byKind: Record<Kind, unknown[]> = {
    id: inUrl ? [...NOT_DECIMAL, ...OUT_OF_RANGE] : [...ODD_NUMBERS, '1', ...OUT_OF_RANGE],
    integer: inUrl ? [...NOT_DECIMAL, ...OUT_OF_RANGE, '101', '100001'] : ODD_NUMBERS,
    date: BAD_DATES,
    enum: ['KING', 'owner', ' OWNER'],
    boolean: ['yes', 1, 'true'],
    string: [...NUL_AND_SURROGATES, '%', '%_\\', 'x'.repeat(10_001), '', '🙂'.repeat(80)],
  };
  const anything = [...NUL_AND_SURROGATES, ...(inUrl ? [] : [...WRONG_TYPES, ...ODD_NUMBERS])];
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...byKind[field.kind]) },
    { weight: 1, arbitrary: fc.constantFrom(...anything) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  );
}

/** A value that passes validation for this field, so that the hostile one is what is tested. */
function valid(field: Field, f: CampaignFixture): fc.Arbitrary<unknown> {
  const id = (n: number) => (field.where === 'body' ? n : String(n));
  switch (field.kind) {
    case 'id':
      return fc.constantFrom(id(f.campaignId), id(f.player.id), id(1), id(999_999));
    case 'integer':
      return fc.constantFrom(id(0), id(1), id(20));
    case 'date':
      return fc.constantFrom('2020-01-01T00:00:00Z', '2099-12-31T23:59:59+02:00');
    case 'enum':
      return fc.constantFrom(...field.enumValues!);
    case 'boolean':
      return fc.boolean();
    default: {
      const byName: Record<string, string[]> = {
        username: ['outsider', 'fuzz_user_1', 'PLAYER'],
        email: ['fuzz@example.test'],
        password: ['long enough pw', 'correct horse battery'],
      };
      return fc.constantFrom(...(byName[field.name] ?? ['fuzz name', 'Lantern']));
    }
  }
}

/** A string as it goes into a URL; an unpaired surrogate cannot be percent-encoded, so its CESU bytes go raw. */
function urlPart(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  try {
    return encodeURIComponent(text);
  } catch {
    return `${encodeURIComponent(text.replace(/[\ud800-\udfff]/g, ''))}%ED%A0%80`;
  }
}

const OMIT = Symbol('omit');

describe('Fuzz: hostile input on every route of the OpenAPI document', function () {
  this.timeout((SECONDS + 60) * 1000);
  const db = useTestDatabase('latest');

  it(`when each request carries one hostile parameter or body field for ${SECONDS} s, no request answers 5xx and no refused request changes the database`, async () => {
    const f = await campaignFixture(db.current);
    const doc = (await request(f.app).get('/api/openapi.json').expect(200)).body as Doc;
    const ops = operations(doc);
    expect(ops.length).to.be.above(20);
    const fingerprint = async () => {
      const all = await dataFingerprint(db.current.sequelize);
      for (const table of COUNTERS) delete all[table];
      return all;
    };
    let runs = 0;
    const statuses = new Map<number, number>();

    const requests = fc.constantFrom(...ops).chain((op) =>
      fc.record({
        op: fc.constant(op),
        target: fc.integer({ min: -1, max: op.fields.length - 1 }),
        values: fc.tuple(
          ...op.fields.map((field) =>
            fc.record({
              hostile: hostile(field),
              other:
                field.where === 'path'
                  ? valid(field, f)
                  : fc.oneof(fc.constant<unknown>(OMIT), valid(field, f)),
            }),
          ),
        ),
        auth: fc.constantFrom('owner', 'owner', 'owner', 'player', 'none'),
        rawBody: fc.constantFrom(false, false, false, false, false, false, false, true),
      }),
    );

    await fc.assert(
      fc.asyncProperty(requests, async ({ op, target, values, auth, rawBody }) => {
        runs += 1;
        let url = op.path;
        const query: string[] = [];
        const body: Record<string, unknown> = {};
        op.fields.forEach((field, i) => {
          const value = i === target ? values[i]!.hostile : values[i]!.other;
          if (value === OMIT) return;
          if (field.where === 'path') url = url.replace(`{${field.name}}`, urlPart(value));
          else if (field.where === 'query') query.push(`${field.name}=${urlPart(value)}`);
          else body[field.name] = value;
        });
        if (query.length > 0) url += `?${query.join('&')}`;

        const before = await fingerprint();
        let req = request(f.app)[op.method](url);
        // Logging out would end the session every other request uses.
        const token = op.path.endsWith('/logout')
          ? undefined
          : { owner: f.owner, player: f.player }[auth as 'owner'];
        if (token) req = req.set('Authorization', token.auth);
        const res = rawBody
          ? await req
              .set('Content-Type', 'application/json')
              .serialize((data: unknown) => data as string)
              .send(
                Buffer.concat([
                  Buffer.from('{"name":"'),
                  Buffer.from([0xc3, 0x28, 0xff]),
                  Buffer.from('"}'),
                ]) as unknown as string,
              )
          : op.method === 'get' || Object.keys(body).length === 0
            ? await req
            : await req.send(body);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const where = `${op.method.toUpperCase()} ${url} ${JSON.stringify(body)}`;
        expect(res.status, `${where} -> ${res.status} ${res.text}`).to.be.below(500);
        if (res.status >= 400) {
          expect(res.body?.error?.code, `${where}: the JSON error shape`).to.be.a('string');
          expect(
            await fingerprint(),
            `${where} was refused but changed the database`,
          ).to.deep.equal(before);
        }
      }),
      {
        numRuns: 1_000_000,
        interruptAfterTimeLimit: SECONDS * 1000,
        ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
        ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
      },
    );
    expect(runs, 'requests sent').to.be.above(50);
    console.log(
      `      fuzz: ${runs} requests; statuses ${[...statuses].map(([s, n]) => `${s}x${n}`).join(' ')}`,
    );
  });
});
