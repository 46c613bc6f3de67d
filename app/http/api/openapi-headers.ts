import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';

/** Response headers the server sends, as components every response refers to. */
const HEADERS = {
  'X-Request-Id': {
    description:
      'The id of this request in the logs: the X-Request-Id sent, when it is 1-128 characters of A-Z a-z 0-9 . _ : -, otherwise a new UUID',
    required: true,
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    required: true,
    schema: { type: 'integer', minimum: 1 },
  },
  ETag: {
    description:
      'The strong entity-tag of the resource as this response shows it (changes whenever the body would); send it back in If-Match (PATCH, DELETE) or If-None-Match (GET)',
    required: true,
    schema: { type: 'string', pattern: '^"[A-Za-z0-9_-]{43}"$' },
  },
  Allow: {
    description: 'The methods the path serves, e.g. `GET, HEAD, PATCH, DELETE`',
    required: true,
    schema: { type: 'string' },
  },
} as const;

const ref = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });

/** On every response. */
export const REQUEST_ID_HEADER = { 'X-Request-Id': ref('X-Request-Id') };
/** On 429. */
export const RETRY_AFTER_HEADER = { 'Retry-After': ref('Retry-After') };
/** On the 2xx and 304 answers about one resource (GET, create, PATCH). */
export const ETAG_HEADER = { ETag: ref('ETag') };
/** On 405 and on the 204 answer to OPTIONS. */
export const ALLOW_HEADER = { Allow: ref('Allow') };

/** Registers the header components the responses refer to. */
export function registerHeaders(registry: OpenAPIRegistry): void {
  for (const [name, header] of Object.entries(HEADERS)) {
    registry.registerComponent('headers', name, header);
  }
}
