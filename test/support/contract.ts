import type { Server } from 'node:http';
import addFormats from 'ajv-formats';
import OpenAPIBackend, { ValidationContext, type Operation } from 'openapi-backend';
import { Sequelize } from 'sequelize';
import { Test } from 'supertest';
import { buildApi } from '../../app/http/api/build-api';
import { loadConfig } from '../../app/config';

/**
 * Holds every response the HTTP suites receive to the served OpenAPI
 * document (openapi-backend validates bodies and headers against it): a
 * response that does not match fails the test that got it, naming the
 * request and what differs.
 */

/** Headers every response may carry without the document listing them (docs/api.md says which). */
const TRANSPORT_HEADERS = new Set([
  'accept-ranges',
  'cache-control',
  'connection',
  'content-length',
  'content-type',
  'date',
  'etag',
  'keep-alive',
  'last-modified',
  'transfer-encoding',
  'vary',
  // helmet's security headers, on every response
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
]);

/** The document GET /api/openapi.json serves (built the same way; it needs no database). */
function servedDocument(): Record<string, unknown> {
  const sequelize = new Sequelize('postgres://unused:unused@127.0.0.1:1/unused', {
    logging: false,
  });
  const { document } = buildApi({ sequelize, config: loadConfig({ NODE_ENV: 'test' }) });
  return JSON.parse(JSON.stringify(document()));
}

interface Checker {
  api: OpenAPIBackend;
}

let checker: Promise<Checker> | undefined;

function contract(): Promise<Checker> {
  checker ??= (async () => {
    const api = new OpenAPIBackend({
      definition: servedDocument() as never,
      // quick: skips its own check of the definition, which knows OpenAPI 3.0
      // only (the 3.1 document is checked by test/http/api/openapi.test.ts and
      // npm run lint:openapi), and compiles each validator on first use.
      quick: true,
      strict: true,
      customizeAjv: (ajv) => {
        addFormats(ajv as never);
        return ajv;
      },
    });
    await api.init();
    return { api };
  })();
  return checker;
}

/** One received response. */
export interface ReceivedResponse {
  method: string;
  /** Path and query, e.g. `/api/items?limit=2`. */
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or undefined when there is none or it is not JSON. */
  body: unknown;
  contentType: string | undefined;
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase();
}

type ResponseObject = {
  content?: Record<string, unknown>;
  headers?: Record<string, unknown>;
};

function checkHeaders(
  response: ReceivedResponse,
  documented: ResponseObject | undefined,
  problems: string[],
) {
  const allowed = new Set(Object.keys(documented?.headers ?? {}).map((h) => h.toLowerCase()));
  for (const name of Object.keys(response.headers)) {
    if (!TRANSPORT_HEADERS.has(name) && !allowed.has(name)) {
      problems.push(`header ${name} is not documented for ${response.status}`);
    }
  }
}

function checkMatched(
  { api }: Checker,
  operation: Operation,
  response: ReceivedResponse,
  problems: string[],
) {
  const responses = operation.responses as Record<string, ResponseObject>;
  const documented = responses[String(response.status)];
  if (!documented) {
    problems.push(
      `status ${response.status} is not documented (documented: ${Object.keys(responses).join(', ')})`,
    );
    return;
  }
  const type = mediaType(response.contentType);
  const types = Object.keys(documented.content ?? {});
  if (response.method === 'HEAD' || response.status === 204) {
    if (types.length > 0 && response.status === 204) problems.push('204 documented with a body');
  } else if (types.length === 0) {
    if (response.body !== undefined) problems.push('a body where the document says none');
  } else if (!type || !types.includes(type)) {
    problems.push(`content type ${type ?? '(none)'} is not documented (${types.join(', ')})`);
  } else if (type === 'application/json') {
    const result = api.validateResponse(response.body, operation, response.status);
    for (const error of result.errors ?? []) {
      problems.push(`body${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`);
    }
  }
  const headers = api.validateResponseHeaders(response.headers, operation, {
    statusCode: response.status,
    setMatchType: 'superset' as never,
  });
  for (const error of headers.errors ?? []) {
    problems.push(`headers${error.instancePath} ${error.message}`);
  }
  checkHeaders(response, documented, problems);
}

/** Responses to no operation: unknown paths, methods a path does not serve, OPTIONS. */
function checkShared({ api }: Checker, response: ReceivedResponse, problems: string[]) {
  const components = (api.definition.components ?? {}) as {
    responses?: Record<string, ResponseObject & { content?: Record<string, { schema: object }> }>;
  };
  const byStatus: Record<number, string> = {
    400: 'InvalidBody',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    413: 'BodyTooLarge',
    415: 'BodyNotJson',
  };
  const name =
    response.method === 'OPTIONS' && response.status === 204
      ? 'Options'
      : byStatus[response.status];
  const shared = name ? components.responses?.[name] : undefined;
  if (!shared) {
    problems.push(`no documented operation answers ${response.status} here`);
    return;
  }
  for (const header of Object.keys(shared.headers ?? {})) {
    if (response.headers[header.toLowerCase()] === undefined) problems.push(`no ${header} header`);
  }
  const schema = shared.content?.['application/json']?.schema;
  if (schema && response.method !== 'HEAD') {
    const validate = api.validator.getAjv(ValidationContext.Response).compile(schema);
    if (!validate(response.body)) {
      for (const error of validate.errors ?? []) {
        problems.push(`body${error.instancePath} ${error.message}`);
      }
    }
  }
  checkHeaders(response, shared, problems);
}

/** What in `response` the served document does not allow; empty when it matches. */
export async function contractProblems(response: ReceivedResponse): Promise<string[]> {
  const url = new URL(response.url, 'http://localhost');
  // The interactive page and its assets are not API operations (docs/api.md).
  if (url.pathname === '/docs' || url.pathname.startsWith('/docs/')) return [];
  const checker = await contract();
  const method = response.method === 'HEAD' ? 'get' : response.method.toLowerCase();
  const query = Object.fromEntries(url.searchParams);
  const operation = ['get', 'post', 'patch', 'delete', 'put'].includes(method)
    ? checker.api.matchOperation({ method, path: url.pathname, query, headers: {} })
    : undefined;
  const problems: string[] = [];
  if (operation) checkMatched(checker, operation, response, problems);
  else checkShared(checker, response, problems);
  return problems;
}

/** Throws naming the request when the response breaks the document. */
export async function assertContract(response: ReceivedResponse): Promise<void> {
  const problems = await contractProblems(response);
  if (problems.length > 0) {
    throw new Error(
      `${response.method} ${response.url} answered ${response.status}, which the OpenAPI document does not allow:\n  ` +
        `${problems.join('\n  ')}\nbody: ${JSON.stringify(response.body)?.slice(0, 500)}`,
    );
  }
}

/** Apps whose supertest responses are checked (testApp registers each). */
const checkedApps = new WeakSet<object>();

/** Checks every supertest response `app` gives from now on. */
export function checkContractOf<T extends object>(app: T): T {
  checkedApps.add(app);
  return app;
}

type AssertFn = (
  this: Test & { app?: Server; method: string; url: string },
  error: Error | null,
  res: unknown,
  fn?: (error: Error | null, res: unknown) => void,
) => void;

interface SupertestResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  text?: string;
  type?: string;
}

// supertest hands each response to Test#assert, then to the test: a
// contract problem becomes the test's error there (after its own asserts).
const proto = Test.prototype as unknown as { assert: AssertFn };
const original = proto.assert;
proto.assert = function (resError, res, fn) {
  original.call(this, resError, res, (error, response) => {
    const handler = this.app?.listeners?.('request')[0];
    const res = response as SupertestResponse | undefined;
    if (!fn) return;
    if (error || !res || !handler || !checkedApps.has(handler)) return fn.call(this, error, res);
    const url = new URL(this.url);
    const contentType = res.headers['content-type'];
    assertContract({
      method: this.method,
      url: url.pathname + url.search,
      status: res.status,
      headers: res.headers,
      body: mediaType(contentType) === 'application/json' && res.text ? res.body : undefined,
      contentType,
    }).then(
      () => fn.call(this, null, res),
      (problem: Error) => fn.call(this, problem, res),
    );
  });
};
