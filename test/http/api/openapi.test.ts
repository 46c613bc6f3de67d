import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import addFormats from 'ajv-formats';
import OpenAPIBackend from 'openapi-backend';
import openapiTS, { astToString } from 'openapi-typescript';
import type { Express } from 'express';
import request from 'supertest';
import { toOpenApiPath } from '../../../app/http/api/api-router';
import { testApp } from '../../support/api-client';
import { useTestDatabase } from '../../support/test-database';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every `METHOD /path` the Express app routes, read from its router stack. */
function servedRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') found.push(`${method} ${toOpenApiPath(layer.route.path)}`);
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found.sort();
}

describe('OpenAPI document', () => {
  const db = useTestDatabase('latest');

  it('when /api/openapi.json is fetched, it validates as an OpenAPI 3 document', async () => {
    const res = await request(testApp(db.current)).get('/api/openapi.json').expect(200);
    expect(res.body.openapi).to.match(/^3\./);
    const result = await new Validator().validate(res.body);
    expect(result.errors, JSON.stringify(result.errors, null, 2)).to.equal(undefined);
    expect(result.valid).to.equal(true);
  });

  it('when compared with the Express router, lists exactly the routes the app serves', async () => {
    const app = testApp(db.current);
    const doc = (await request(app).get('/api/openapi.json').expect(200)).body;
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`))
      .sort();
    const served = servedRoutes(app);
    expect(served).to.have.length.greaterThan(25);
    expect(documented).to.deep.equal(served);
  });

  it('when a route needs a token, the document says so, and public ones do not', async () => {
    const doc = (await request(testApp(db.current)).get('/api/openapi.json').expect(200)).body;
    const security = (path: string, method: string) => doc.paths[path][method].security;
    // Public operations say so with an empty list (absent would mean "unspecified").
    expect(security('/api/auth/login', 'post')).to.deep.equal([]);
    expect(security('/api/auth/register', 'post')).to.deep.equal([]);
    expect(security('/health/ready', 'get')).to.deep.equal([]);
    expect(security('/api/characters', 'get')).to.deep.equal([{ bearerAuth: [] }]);
    expect(doc.components.securitySchemes.bearerAuth).to.deep.equal({
      type: 'http',
      scheme: 'bearer',
    });
  });

  it('when no request body schema is read, none of them accepts a server-set field', async () => {
    const doc = (await request(testApp(db.current)).get('/api/openapi.json').expect(200)).body;
    const forbidden = [
      'id',
      'created_by',
      'modified_by',
      'createdBy',
      'modifiedBy',
      'created_at',
      'updated_at',
      'createdAt',
      'updatedAt',
    ];
    const schemas = doc.components.schemas as Record<
      string,
      { properties?: object; additionalProperties?: boolean }
    >;
    const requestSchemas = Object.entries(schemas).filter(([name]) => name.endsWith('Request'));
    expect(requestSchemas).to.have.length.greaterThan(8);
    for (const [name, schema] of requestSchemas) {
      expect(Object.keys(schema.properties ?? {}), name).to.not.include.members(forbidden);
      expect(schema.additionalProperties, `${name} is strict`).to.equal(false);
    }
  });

  it('when /docs is opened, serves the interactive page from local assets', async () => {
    const app = testApp(db.current);
    const page = await request(app).get('/docs/').expect(200);
    expect(page.headers['content-type']).to.match(/text\/html/);
    expect(page.text).to.include('swagger-ui');
    const init = await request(app).get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).to.include('/api/characters');
    for (const header of ['ETag', 'If-Match', 'If-None-Match', 'PreconditionFailedError']) {
      expect(init.text, header).to.include(header);
    }
    await request(app).get('/docs/swagger-ui-bundle.js').expect(200);
  });

  describe('as the contract', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let doc: any;
    before(async () => {
      doc = (await request(testApp(db.current)).get('/api/openapi.json').expect(200)).body;
    });

    type Operation = {
      operationId?: string;
      responses: Record<string, { headers?: Record<string, unknown>; content?: object }>;
    };
    const operations = (): Array<[string, Operation]> =>
      Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(
        ([path, ops]) =>
          Object.entries(ops).map(([method, op]): [string, Operation] => [`${method} ${path}`, op]),
      );

    /** Every schema object of the document, with where it is. */
    function schemas(): Array<[string, Record<string, unknown>]> {
      const found: Array<[string, Record<string, unknown>]> = [];
      const walk = (node: unknown, where: string, isSchema: boolean) => {
        if (Array.isArray(node)) {
          node.forEach((item, i) => walk(item, `${where}/${i}`, isSchema));
          return;
        }
        if (!node || typeof node !== 'object') return;
        const obj = node as Record<string, unknown>;
        if (isSchema) found.push([where, obj]);
        for (const [key, value] of Object.entries(obj)) {
          const childIsSchema =
            key === 'schema' ||
            (isSchema && ['items', 'additionalProperties', 'not'].includes(key)) ||
            (isSchema && ['anyOf', 'oneOf', 'allOf'].includes(key));
          if (isSchema && key === 'properties') {
            for (const [name, prop] of Object.entries(value as object)) {
              walk(prop, `${where}/properties/${name}`, true);
            }
          } else if (where === '#/components' && key === 'schemas') {
            for (const [name, schema] of Object.entries(value as object)) {
              walk(schema, `#/components/schemas/${name}`, true);
            }
          } else walk(value, `${where}/${key}`, childIsSchema);
        }
      };
      walk(doc, '#', false);
      return found;
    }

    it('when every schema is read, each says its type (or refers to or combines typed ones), and none uses nullable', () => {
      const all = schemas();
      expect(all.length).to.be.greaterThan(200);
      const untyped = all.filter(
        ([, s]) =>
          !['type', '$ref', 'anyOf', 'oneOf', 'allOf', 'enum', 'const'].some((k) => k in s),
      );
      expect(untyped.map(([where]) => where)).to.deep.equal([]);
      expect(all.filter(([, s]) => 'nullable' in s).map(([where]) => where)).to.deep.equal([]);
    });

    it('when every operation is read, each has its own operationId', () => {
      const ids = operations().map(([, op]) => op.operationId);
      expect(ids.filter((id) => typeof id !== 'string')).to.deep.equal([]);
      expect(new Set(ids).size).to.equal(ids.length);
    });

    it('when every response is read, each documents X-Request-Id, and every 429 Retry-After', () => {
      for (const [name, op] of operations()) {
        for (const [status, response] of Object.entries(op.responses)) {
          expect(Object.keys(response.headers ?? {}), `${name} ${status}`).to.include(
            'X-Request-Id',
          );
          if (status === '429') expect(Object.keys(response.headers!)).to.include('Retry-After');
        }
      }
      expect(Object.keys(doc.components.headers)).to.have.members([
        'X-Request-Id',
        'Retry-After',
        'ETag',
        'Allow',
      ]);
      expect(Object.keys(doc.components.responses.MethodNotAllowed.headers)).to.include('Allow');
    });

    it('when the operations on one resource are read, GET, create and PATCH document ETag, GET takes If-None-Match and may answer 304, PATCH and DELETE take If-Match and may answer 412', () => {
      const headerParams = (op: { parameters?: Array<{ in: string; name: string }> }) =>
        (op.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name);
      for (const kind of ['campaigns', 'characters', 'items', 'locations']) {
        const one = doc.paths[`/api/${kind}/{id}`];
        const created = doc.paths[`/api/${kind}`].post.responses['201'];
        expect(Object.keys(created.headers), `create ${kind}`).to.include('ETag');
        expect(Object.keys(one.get.responses['200'].headers), kind).to.include('ETag');
        expect(Object.keys(one.get.responses['304'].headers), kind).to.include('ETag');
        expect(one.get.responses['304'].content, `304 of ${kind} has no body`).to.equal(undefined);
        expect(headerParams(one.get), kind).to.deep.equal(['If-None-Match']);
        expect(Object.keys(one.patch.responses['200'].headers), kind).to.include('ETag');
        for (const method of ['patch', 'delete']) {
          expect(headerParams(one[method]), `${method} ${kind}`).to.deep.equal(['If-Match']);
          expect(one[method].responses['412'].content['application/json'].schema.$ref).to.equal(
            '#/components/schemas/PreconditionFailedError',
          );
        }
      }
      expect(Object.keys(doc.paths['/api/me'].get.responses['200'].headers)).to.include('ETag');
      expect(doc.components.headers.ETag.schema.pattern).to.equal('^"[A-Za-z0-9_-]{43}"$');
      // Lists are no single resource: no ETag documented, no 304.
      expect(doc.paths['/api/items'].get.responses['304']).to.equal(undefined);
    });

    it('when error responses are read, each status has its codes and one documented shape of details', () => {
      const s = doc.components.schemas;
      const details = (name: string) => s[name].properties.error.properties.details;
      expect(details('BadRequestError').type).to.equal('array');
      expect(details('BadRequestError').items).to.deep.equal({
        $ref: '#/components/schemas/FieldIssue',
      });
      expect(details('ConflictError').properties).to.have.keys('fields');
      expect(details('MethodNotAllowedError').properties).to.have.keys('allow');
      expect(details('TooManyRequestsError').properties).to.have.keys('retryAfterSeconds');
      expect(s.TooManyRequestsError.properties.error.required).to.include('details');
      // A restore's 404 says why the row cannot come back; other 404s carry no details.
      expect(details('NotFoundError').properties.reason.enum).to.deep.equal([
        'campaign_deleted',
        'history_pruned',
      ]);
      expect(s.NotFoundError.properties.error.required).to.not.include('details');
      expect(s.ConflictError.properties.error.properties.fields.type).to.equal('array');
      for (const name of ['UnauthorizedError', 'SchemaNotReadyError']) {
        expect(details(name), name).to.equal(undefined);
        expect(s[name].properties.error.additionalProperties, name).to.equal(false);
      }
      const campaign = doc.paths['/api/campaigns/{id}'].get.responses;
      expect(campaign['404'].content['application/json'].schema.$ref).to.equal(
        '#/components/schemas/NotFoundError',
      );
      expect(campaign['503'].content['application/json'].schema.$ref).to.equal(
        '#/components/schemas/SchemaNotReadyError',
      );
    });

    it('when requests the server refuses are checked against the document alone, the document refuses them too', async () => {
      const api = new OpenAPIBackend({
        definition: doc,
        quick: true,
        strict: true,
        customizeAjv: (ajv) => {
          addFormats(ajv as never);
          return ajv;
        },
      });
      await api.init();
      const check = (method: string, path: string, body?: object, query?: object) =>
        api.validateRequest({
          method,
          path,
          body,
          query: query as never,
          headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
        }).valid;
      // Accepted: the rules below are not simply refusing everything.
      expect(check('post', '/api/items', { campaignId: 1, name: ' Lamp ' })).to.equal(true);
      expect(check('patch', '/api/items/1', { description: 'lit' })).to.equal(true);
      expect(
        check('get', '/api/items', undefined, { createdAfter: '2025-01-01T00:00:00Z' }),
      ).to.equal(true);
      // Refused, as the server refuses them.
      expect(check('post', '/api/items', { campaignId: 1, name: '   ' }), 'blank name').to.equal(
        false,
      );
      expect(check('post', '/api/items', { campaignId: 1, name: 'a\u0000b' }), 'NUL').to.equal(
        false,
      );
      expect(
        check('post', '/api/campaigns', { name: 'x', description: 'a\u0000' }),
        'NUL in free text',
      ).to.equal(false);
      expect(check('patch', '/api/items/1', {}), 'empty PATCH').to.equal(false);
      expect(check('patch', '/api/campaigns/1', {}), 'empty campaign PATCH').to.equal(false);
      expect(
        check('get', '/api/items', undefined, { createdAfter: '0000-01-01T00:00:00Z' }),
        'year 0',
      ).to.equal(false);
      expect(
        check('get', '/api/items', undefined, { createdAfter: '1899-12-31T23:59:59Z' }),
        'year 1899',
      ).to.equal(false);
      expect(
        check('post', '/api/auth/register', {
          username: 'a b',
          email: 'a@example.test',
          password: 'long enough',
        }),
        'username with a space',
      ).to.equal(false);
    });

    it('when a typed client is generated from it, no response body is unknown and every operation is named', async function () {
      this.timeout(60_000);
      const source = astToString(await openapiTS(doc));
      // Comments may say "unknown"; the types may not, except the index
      // signature that openapi-typescript gives every headers object.
      const code = source.replace(/\/\*\*[\s\S]*?\*\//g, '');
      const unknowns = code
        .split('\n')
        .filter((line) => /\bunknown\b/.test(line))
        .filter((line) => line.trim() !== '[name: string]: unknown;');
      expect(unknowns).to.deep.equal([]);
      // An object type with no properties (besides the empty top-level sections).
      const empty = code
        .split('\n')
        .filter((line) => line.includes('Record<string, never>'))
        .filter((line) => !/^export type (webhooks|\$defs) = /.test(line));
      expect(empty).to.deep.equal([]);
      // Every method of every path is an operation by name.
      const named = [...code.matchAll(/^\s+(get|post|patch|delete|put): (.*);$/gm)];
      expect(named.length).to.equal(operations().length);
      for (const [, method, type] of named) expect(type, method).to.match(/^operations\["\w+"\]$/);
      for (const [, op] of operations()) expect(code).to.include(`    ${op.operationId}: {`);
    });
  });
});
