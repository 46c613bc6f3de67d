import { z } from 'zod';
import {
  USERNAME_MAX_LENGTH,
  USERNAME_MIN_LENGTH,
  USERNAME_PATTERN,
  USERNAME_PATTERN_HINT,
  usernameAsWritten,
} from '../../auth/username';

/** NFKC first, so look-alike forms (full-width letters) become the plain ones they stand for. */
const nfkc = (value: unknown) => (typeof value === 'string' ? usernameAsWritten(value) : value);

export const Username = z.preprocess(
  nfkc,
  z
    .string()
    .min(USERNAME_MIN_LENGTH)
    .max(USERNAME_MAX_LENGTH)
    .regex(USERNAME_PATTERN, USERNAME_PATTERN_HINT)
    .meta({ description: 'Unique whatever the case (after NFKC); login accepts any case' }),
);

export const RegisterBody = z
  .strictObject({
    username: Username,
    email: z.email().max(254),
    password: z.string().min(8).max(256),
    displayName: z.string().trim().max(150).optional(),
  })
  .meta({ id: 'RegisterRequest' });

export const LoginBody = z
  .strictObject({
    username: z.preprocess(nfkc, z.string().min(1).max(150)),
    password: z.string().min(1).max(256),
  })
  .meta({ id: 'LoginRequest' });

export const Account = z
  .object({
    id: z.number().int(),
    username: z.string(),
    email: z.string(),
    displayName: z.string(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Account' });

export const LoginResponse = z
  .object({ token: z.string(), expiresAt: z.iso.datetime(), user: Account })
  .meta({ id: 'LoginResponse' });
