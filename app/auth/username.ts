/** A username that breaks the rule; the message says which part. */
export class InvalidUsernameError extends Error {
  override readonly name = 'InvalidUsernameError';
}

/** The username rule: its length after normalisation, and its characters. */
export const USERNAME_MIN_LENGTH = 3;
export const USERNAME_MAX_LENGTH = 150;
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
export const USERNAME_CHARACTERS = 'use letters, digits, "_", "." or "-"';

/**
 * The username as stored: NFKC first, so look-alike forms (full-width
 * letters) become the plain ones they stand for; then checked against the
 * rule. Throws InvalidUsernameError naming what is wrong.
 */
export function normalizeUsername(raw: string): string {
  const name = raw.normalize('NFKC');
  if (name.length < USERNAME_MIN_LENGTH) {
    throw new InvalidUsernameError(`must have at least ${USERNAME_MIN_LENGTH} characters`);
  }
  if (name.length > USERNAME_MAX_LENGTH) {
    throw new InvalidUsernameError(`must have at most ${USERNAME_MAX_LENGTH} characters`);
  }
  if (!USERNAME_PATTERN.test(name)) throw new InvalidUsernameError(USERNAME_CHARACTERS);
  return name;
}
