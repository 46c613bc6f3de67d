import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
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
    expect(security('/api/auth/login', 'post')).to.equal(undefined);
    expect(security('/api/auth/register', 'post')).to.equal(undefined);
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
    await request(app).get('/docs/swagger-ui-bundle.js').expect(200);
  });
});
