import { createHash } from 'node:crypto';
import { ValidationError } from '../errors';

// Entity tags (RFC 9110, section 8.8.3) of the single-resource responses, and
// the If-Match / If-None-Match lists clients send back.

/**
 * The strong ETag of a JSON response body: the SHA-256 of the bytes
 * `res.json` sends for it (`JSON.stringify`, UTF-8), in base64url, quoted.
 * Two bodies get one tag exactly when they are the same bytes.
 */
export function entityTagOf(body: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(body), 'utf8').digest('base64url')}"`;
}

/** One entity-tag of a list: `"abc"` (strong) or `W/"abc"` (weak), its quotes kept. */
export interface EntityTag {
  weak: boolean;
  opaque: string;
}

/** An If-Match or If-None-Match value: `*`, or the entity-tags listed. */
export type TagCondition = '*' | EntityTag[];

// One list element: optional whitespace, an entity-tag and optional
// whitespace (or nothing: the list syntax allows empty elements), then a
// comma or the end. etagc is %x21 / %x23-7E / obs-text: anything visible but
// the double quote. No two runs of whitespace can meet, so a long blank
// header is refused in linear time.
const ELEMENT = /[ \t]*(?:(W\/)?("[\x21\x23-\x7e\x80-\xff]*")[ \t]*)?(?:,|$)/y;

/**
 * Reads an If-Match or If-None-Match header; a value that is neither `*` nor
 * a list of entity-tags is a 400 naming the header.
 */
export function parseTagCondition(
  header: 'If-Match' | 'If-None-Match',
  value: string,
): TagCondition {
  if (value.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  let at = 0;
  while (at < value.length) {
    ELEMENT.lastIndex = at;
    const element = ELEMENT.exec(value);
    if (!element || element[0].length === 0) return refuse(header);
    if (element[2] !== undefined) tags.push({ weak: element[1] !== undefined, opaque: element[2] });
    at = ELEMENT.lastIndex;
  }
  return tags.length > 0 ? tags : refuse(header);
}

function refuse(header: string): never {
  const field = `headers.${header}`;
  const message = 'must be * or a list of entity-tags such as "abc", as the ETag header gives them';
  throw new ValidationError(`Invalid request: ${field}: ${message}`, [{ field, message }]);
}

/** If-Match: strong comparison, so a weak tag never matches (`*` is decided by the caller). */
export function matchesStrongly(tags: EntityTag[], etag: string): boolean {
  return tags.some((tag) => !tag.weak && tag.opaque === etag);
}

/** If-None-Match: weak comparison, the `W/` prefix ignored. */
export function matchesWeakly(condition: TagCondition, etag: string): boolean {
  return condition === '*' || condition.some((tag) => tag.opaque === etag);
}
