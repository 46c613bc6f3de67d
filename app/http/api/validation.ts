import type { z } from 'zod';
import { ValidationError } from '../../errors';

/** Fields the server sets; a client sending any of them is told so by name. */
export const SERVER_SET_FIELDS = [
  'id',
  'created_by',
  'modified_by',
  'createdBy',
  'modifiedBy',
  'created_at',
  'updated_at',
  'createdAt',
  'updatedAt',
] as const;

export type RequestPart = 'params' | 'query' | 'body';

interface IssueDetail extends Record<string, unknown> {
  field: string;
  message: string;
}

function fieldName(part: RequestPart, path: readonly PropertyKey[]): string {
  return [part, ...path.map(String)].join('.');
}

function describe(part: RequestPart, issue: z.core.$ZodIssue): IssueDetail[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      field: fieldName(part, [...issue.path, key]),
      message: (SERVER_SET_FIELDS as readonly string[]).includes(key)
        ? `${key} is set by the server and cannot be sent; remove it`
        : `${key} is not a known field; remove it`,
    }));
  }
  return [{ field: fieldName(part, issue.path), message: issue.message }];
}

// U+0000 (PostgreSQL text cannot hold it) and UTF-16 halves without their
// pair (stored as U+FFFD: the row would differ from what was sent).
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what it looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Every string (and key) in `value` that PostgreSQL cannot store as sent, by field name. */
function unstorableStrings(part: RequestPart, value: unknown): IssueDetail[] {
  const found: IssueDetail[] = [];
  const walk = (node: unknown, path: string[]) => {
    if (typeof node === 'string') {
      if (UNSTORABLE.test(node)) {
        found.push({
          field: fieldName(part, path),
          message: node.includes('\u0000')
            ? 'contains U+0000 (NUL), which cannot be stored; remove it'
            : 'contains an unpaired UTF-16 surrogate (not valid Unicode text)',
        });
      }
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, [...path, String(i)]));
    } else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) {
        // A bad key is named in a readable form, not echoed as it came.
        if (UNSTORABLE.test(key)) {
          found.push({
            field: fieldName(part, [...path, JSON.stringify(key)]),
            message: 'field name is not valid text',
          });
        } else walk(item, [...path, key]);
      }
    }
  };
  walk(value, []);
  return found;
}

/** Parses one part of a request, or throws a 400 ValidationError naming every bad field. */
export function parseRequestPart<T extends z.ZodType>(
  schema: T,
  part: RequestPart,
  value: unknown,
): z.output<T> {
  const unstorable = unstorableStrings(part, value);
  if (unstorable.length > 0) {
    const summary = unstorable.map((d) => `${d.field}: ${d.message}`).join('; ');
    throw new ValidationError(`Invalid request: ${summary}`, unstorable);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.flatMap((issue) => describe(part, issue));
  const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
  throw new ValidationError(`Invalid request: ${summary}`, details);
}
