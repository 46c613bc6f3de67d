import { z } from 'zod';

// The conditional request headers (RFC 9110, section 13.1) the API reads.

const TAGS_EXAMPLE = '"4fJ0n2Pz0b1GZQ8vS3m7cXo5hK2yR9aUeT6wLqVdN1I"';

/** PATCH and DELETE of one resource. */
export const IfMatchHeaders = z.object({
  'If-Match': z.string().optional().meta({
    description:
      'Write only if the resource is still this version: an ETag this caller received for it, a list of them, or * (any existing row). Otherwise 412 and nothing changes. Without it the write is unconditional.',
    example: TAGS_EXAMPLE,
  }),
});

/** GET of one resource. */
export const IfNoneMatchHeaders = z.object({
  'If-None-Match': z.string().optional().meta({
    description:
      'The ETag (or ETags) of the copy the client holds: 304 with no body when one is current, * for any.',
    example: TAGS_EXAMPLE,
  }),
});
