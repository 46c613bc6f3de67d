/*
 * The one rule for usernames, used by registration, login, invitations, the
 * login limit, the rename command and every lookup. A name is kept as written
 * after NFKC (full-width letters, ligatures and other compatibility forms
 * become the plain characters they stand for; combining sequences are
 * composed), and compared after NFKC plus case folding: the unique index on
 * lower(username) holds one account per folded name.
 */

export const USERNAME_MIN_LENGTH = 3;
export const USERNAME_MAX_LENGTH = 150;
/** What a new username may hold, after NFKC. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
export const USERNAME_PATTERN_HINT = 'use letters, digits, "_", "." or "-"';

/** A username as it is stored and shown: NFKC, case kept. */
export function usernameAsWritten(raw: string): string {
  return raw.normalize('NFKC');
}

/**
 * The form every username is compared in: NFKC, then case folded (lower
 * case, as PostgreSQL's lower() over the stored, already NFKC, name). Two
 * names are the same account exactly when their normalized forms are equal.
 */
export function normalizeUsername(raw: string): string {
  return raw.normalize('NFKC').toLowerCase();
}

/** Why `raw` cannot be a new username, or undefined when it can (checked after NFKC). */
export function usernameProblem(raw: string): string | undefined {
  const name = usernameAsWritten(raw);
  if (name.length < USERNAME_MIN_LENGTH)
    return `must be at least ${USERNAME_MIN_LENGTH} characters`;
  if (name.length > USERNAME_MAX_LENGTH) return `must be at most ${USERNAME_MAX_LENGTH} characters`;
  if (!USERNAME_PATTERN.test(name)) return USERNAME_PATTERN_HINT;
  return undefined;
}
