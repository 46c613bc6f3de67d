import { z } from 'zod';

/** One refused field: `body.name`, `query.limit`, `params.id`, ... and what is wrong with it. */
export const FieldIssue = z
  .strictObject({
    field: z.string().meta({ example: 'body.name' }),
    message: z.string(),
  })
  .meta({ id: 'FieldIssue' });

/**
 * The error body of each status: `{ error: { code, message, details? } }`,
 * with the codes that status carries and the one shape of `details` it has.
 */
function errorBody(
  id: string,
  codes: [string, ...string[]],
  details?: z.ZodType,
  extra: Record<string, z.ZodType> = {},
) {
  return z
    .strictObject({
      error: z.strictObject({
        code: z.enum(codes),
        message: z.string().meta({ description: 'For people; may change' }),
        ...(details ? { details } : {}),
        ...extra,
      }),
    })
    .meta({ id });
}

export const ERROR_BODIES = {
  400: errorBody(
    'BadRequestError',
    ['validation_failed', 'invalid_json', 'bad_request'],
    z.array(FieldIssue).optional().meta({ description: 'validation_failed: every refused field' }),
  ),
  401: errorBody('UnauthorizedError', ['unauthorized']),
  403: errorBody('ForbiddenError', ['forbidden']),
  404: errorBody(
    'NotFoundError',
    ['not_found'],
    z
      .strictObject({ reason: z.enum(['campaign_deleted', 'history_pruned']) })
      .optional()
      .meta({
        description:
          'restore only: why the row cannot come back (its campaign was deleted, or no delete entry of it is kept)',
      }),
  ),
  405: errorBody(
    'MethodNotAllowedError',
    ['method_not_allowed'],
    z
      .strictObject({ allow: z.array(z.string()) })
      .meta({ description: 'The methods the path serves, as in the Allow header' }),
  ),
  409: errorBody(
    'ConflictError',
    ['conflict'],
    z
      .strictObject({ fields: z.array(z.string()) })
      .optional()
      .meta({
        description:
          'The fields whose values must be unique, or (revert) the fields changed again since the entry',
      }),
    {
      fields: z.array(z.string()).optional().meta({
        description:
          "revert only: the fields (API names) that no longer hold the entry's `to` value; nothing was written",
      }),
    },
  ),
  412: errorBody('PreconditionFailedError', ['precondition_failed']),
  413: errorBody(
    'PayloadTooLargeError',
    ['payload_too_large'],
    z
      .strictObject({ limitBytes: z.number().int().min(1) })
      .meta({ description: 'The largest body accepted, in bytes' }),
  ),
  415: errorBody('UnsupportedMediaTypeError', ['unsupported_media_type']),
  429: errorBody(
    'TooManyRequestsError',
    ['too_many_requests'],
    z
      .strictObject({ retryAfterSeconds: z.number().int().min(1) })
      .meta({ description: 'The same value as the Retry-After header' }),
  ),
  500: errorBody('InternalError', ['internal_error']),
  503: errorBody('SchemaNotReadyError', ['schema_not_ready']),
} as const;

export type ErrorStatus = keyof typeof ERROR_BODIES;
