import { z } from 'zod';
import { ValidationError } from '../../errors';
import type { JsonPath } from '../raw-json';

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

interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
}

const defOf = (schema: z.ZodType) => schema._zod.def as unknown as SchemaDef;

/** The schema that `path` of a value meets in `schema`, wrappers (optional, default, pipe) removed. */
function schemaAt(schema: z.ZodType, path: JsonPath): z.ZodType | undefined {
  let node: z.ZodType | undefined = schema;
  let i = 0;
  while (node) {
    const def = defOf(node);
    if (def.innerType) node = def.innerType;
    // A preprocess is a pipe from a transform: the schema after it is what the value meets.
    else if (def.type === 'pipe') node = defOf(def.in!).type === 'transform' ? def.out : def.in;
    else if (i === path.length) return node;
    else if (def.type === 'object') node = def.shape?.[String(path[i++])];
    else if (def.type === 'array') node = typeof path[i++] === 'number' ? def.element : undefined;
    else return undefined;
  }
  return undefined;
}

/**
 * Integers (ids) written other than in plain decimal, by field name. JSON.parse
 * reads `36.0`, `3.6e+1` and `36` alike; the raw body's scan told them apart.
 */
function looseIntegers(
  schema: z.ZodType,
  part: RequestPart,
  looseNumbers: readonly JsonPath[],
): IssueDetail[] {
  return looseNumbers
    .filter((path) => {
      const target = schemaAt(schema, path);
      return target instanceof z.ZodNumber && target.isInt;
    })
    .map((path) => ({
      field: fieldName(part, path),
      message:
        'must be a whole number in plain decimal digits (e.g. 36), not a fraction, an exponent or -0',
    }));
}

function refuse(details: IssueDetail[]): never {
  const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
  throw new ValidationError(`Invalid request: ${summary}`, details);
}

/**
 * Parses one part of a request, or throws a 400 ValidationError naming every
 * bad field. `looseNumbers`: the body's numbers not written as plain decimal
 * integers (from the raw body), refused where the schema wants an integer.
 */
export function parseRequestPart<T extends z.ZodType>(
  schema: T,
  part: RequestPart,
  value: unknown,
  looseNumbers: readonly JsonPath[] = [],
): z.output<T> {
  const unstorable = unstorableStrings(part, value);
  if (unstorable.length > 0) refuse(unstorable);
  const loose = looseIntegers(schema, part, looseNumbers);
  if (loose.length > 0) refuse(loose);
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  refuse(result.error.issues.flatMap((issue) => describe(part, issue)));
}
