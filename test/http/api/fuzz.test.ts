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
// reaches as deep as the rest of the request allows. Some bodies are hostile
// as a whole instead: invalid UTF-8, nesting around and far past the depth
// limit, huge arrays, huge numbers, duplicate keys, any charset label. No
// request may answer 5xx, and a refused one (4xx) may change nothing in the
// database.
// FUZZ_SECONDS (default 10); a failure prints the seed and path, to replay:
// FUZZ_SEED=<seed> FUZZ_PATH=<path>.

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 10);
/** Requests sent however slow the machine: enough for every body shape to come up. */
const MIN_RUNS = 60;

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

/** Charset labels a client may send: UTF-8 spellings, other Unicode forms, legacy sets, junk. */
const CHARSETS = [
  'utf-8',
  'UTF-8',
  'uTf-8',
  '"utf-8"',
  'utf8',
  'UTF8',
  'utf-16',
  'utf-16le',
  'utf-16be',
  'UTF-16',
  'utf-32',
  'ucs-2',
  'utf-7',
  'cesu-8',
  'us-ascii',
  'ascii',
  'latin1',
  'iso-8859-1',
  'iso-8859-15',
  'windows-1252',
  'koi8-r',
  'shift_jis',
  'euc-jp',
  'gbk',
  'big5',
  'binary',
  'base64',
  'hex',
  '',
  'x-unknown',
  'utf-8;q=1',
  '"',
  'ü',
];

/** A body that is hostile as a whole rather than in one field. */
type Shape =
  | { kind: 'fields' }
  | { kind: 'badUtf8' }
  | { kind: 'deep'; depth: number; open: '[' | '{' }
  | { kind: 'hugeArray'; length: number }
  | { kind: 'hugeNumber'; literal: string }
  | { kind: 'duplicateKeys'; hostileLast: boolean }
  | { kind: 'charset'; label: string; utf16: boolean };

const shapes: fc.Arbitrary<Shape> = fc.oneof(
  { weight: 8, arbitrary: fc.constant<Shape>({ kind: 'fields' }) },
  { weight: 1, arbitrary: fc.constant<Shape>({ kind: 'badUtf8' }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('deep' as const),
      depth: fc.oneof(
        fc.constantFrom(31, 32, 33, 6000, 40_000),
        fc.integer({ min: 1, max: 50_000 }),
      ),
      open: fc.constantFrom('[' as const, '{' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('hugeArray' as const),
      // Up to just under the size limit (each element is 2 bytes): a larger
      // body gets its 413 before the server reads it, and the client may then
      // see the connection end mid-send (body-limits.test.ts covers the 413).
      length: fc.constantFrom(10_000, 40_000, 50_000),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('hugeNumber' as const),
      literal: fc.constantFrom(
        '1' + '0'.repeat(400),
        '-' + '9'.repeat(5000),
        '1e99999',
        '-1e-99999',
        '1.' + '0'.repeat(1000) + '1',
        '2147483647.0000000001',
        '9007199254740993',
        '4e-324',
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('duplicateKeys' as const),
      hostileLast: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('charset' as const),
      label: fc.oneof(fc.constantFrom(...CHARSETS), fc.string({ maxLength: 12 })),
      utf16: fc.boolean(),
    }),
  },
);

/** `{"key":<valueText>, ...the other fields}` as text, keeping `key` first. */
function withFieldText(body: Record<string, unknown>, key: string, valueText: string): string {
  const rest = Object.fromEntries(Object.entries(body).filter(([k]) => k !== key));
  const restText = JSON.stringify(rest).slice(1, -1);
  return `{${JSON.stringify(key)}:${valueText}${restText ? `,${restText}` : ''}}`;
}

/** The raw body and its Content-Type for a whole-body shape; undefined: send the fields as JSON. */
function rawBodyOf(
  shape: Shape,
  body: Record<string, unknown>,
  hostileField: { name: string; value: unknown } | undefined,
): { type: string; data: Buffer } | undefined {
  const key = hostileField?.name ?? Object.keys(body)[0] ?? 'name';
  const json = (text: string) => ({ type: 'application/json', data: Buffer.from(text) });
  switch (shape.kind) {
    case 'fields':
      return undefined;
    case 'badUtf8':
      return {
        type: 'application/json',
        data: Buffer.concat([
          Buffer.from('{"name":"'),
          Buffer.from([0xc3, 0x28, 0xff]),
          Buffer.from('"}'),
        ]),
      };
    case 'deep': {
      const close = shape.open === '[' ? ']' : '}';
      const inner = shape.open === '[' ? '1' : '"a":1';
      // Objects nest through a key at each level: {"a":{"a":...}}.
      const nested =
        shape.open === '['
          ? `${'['.repeat(shape.depth)}${inner}${close.repeat(shape.depth)}`
          : `${'{"a":'.repeat(shape.depth - 1)}{${inner}}${'}'.repeat(shape.depth - 1)}`;
      return json(withFieldText(body, key, nested));
    }
    case 'hugeArray':
      return json(withFieldText(body, key, `[${new Array(shape.length).fill('0').join(',')}]`));
    case 'hugeNumber':
      return json(withFieldText(body, key, shape.literal));
    case 'duplicateKeys': {
      const hostileText = JSON.stringify(hostileField?.value ?? null) ?? 'null';
      const validText = JSON.stringify(body[key] ?? 'x') ?? '"x"';
      const [first, last] = shape.hostileLast ? [validText, hostileText] : [hostileText, validText];
      return json(`{${JSON.stringify(key)}:${first},${withFieldText(body, key, last).slice(1)}`);
    }
    case 'charset': {
      const text = JSON.stringify(body);
      return {
        type: `application/json; charset=${shape.label}`,
        data: shape.utf16 ? Buffer.from(text, 'utf16le') : Buffer.from(text),
      };
    }
  }
}

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
    const shapesSent = new Map<Shape['kind'], number>();

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
        shape: shapes,
      }),
    );

    const property = fc.asyncProperty(requests, async ({ op, target, values, auth, shape }) => {
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
      const targetField = op.fields[target];
      const raw = rawBodyOf(
        shape,
        body,
        targetField?.where === 'body'
          ? { name: targetField.name, value: values[target]!.hostile }
          : undefined,
      );
      const res = raw
        ? await req
            .set('Content-Type', raw.type)
            .serialize((data: unknown) => data as string)
            .send(raw.data as unknown as string)
        : op.method === 'get' || Object.keys(body).length === 0
          ? await req
          : await req.send(body);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const sent = raw ? `${raw.type} ${raw.data.toString('utf8', 0, 200)}` : JSON.stringify(body);
      const where = `${op.method.toUpperCase()} ${url} ${sent}`;
      shapesSent.set(shape.kind, (shapesSent.get(shape.kind) ?? 0) + 1);
      expect(res.status, `${where} -> ${res.status} ${res.text}`).to.be.below(500);
      if (res.status >= 400) {
        expect(res.body?.error?.code, `${where}: the JSON error shape`).to.be.a('string');
        expect(await fingerprint(), `${where} was refused but changed the database`).to.deep.equal(
          before,
        );
      }
    });
    const replay = {
      ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
      ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
    };
    await fc.assert(property, {
      numRuns: 1_000_000,
      interruptAfterTimeLimit: SECONDS * 1000,
      ...replay,
    });
    // A busy machine sends fewer requests in the time: top up to the least that tries every shape.
    if (runs < MIN_RUNS && !replay.path) await fc.assert(property, { numRuns: MIN_RUNS - runs });
    expect(runs, 'requests sent').to.be.at.least(replay.path ? 1 : MIN_RUNS);
    // Each whole-body generator ran (a generator that never runs tests nothing).
    expect([...shapesSent.keys()].sort()).to.deep.equal(
      ['badUtf8', 'charset', 'deep', 'duplicateKeys', 'fields', 'hugeArray', 'hugeNumber'].sort(),
    );
    console.log(
      `      fuzz: ${runs} requests; statuses ${[...statuses].map(([s, n]) => `${s}x${n}`).join(' ')}; bodies ${[...shapesSent].map(([k, n]) => `${k}x${n}`).join(' ')}`,
    );
  });
});
