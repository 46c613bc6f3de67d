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

/** Parses one part of a request, or throws a 400 ValidationError naming every bad field. */
export function parseRequestPart<T extends z.ZodType>(
  schema: T,
  part: RequestPart,
  value: unknown,
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.flatMap((issue) => describe(part, issue));
  const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
  throw new ValidationError(`Invalid request: ${summary}`, details);
}
