/*
 * What JSON.parse forgets about a body: how deep it nests, and how each
 * number was written. One pass over the raw bytes, no recursion, before the
 * body is parsed: a nesting bound must hold before any recursive walk (a
 * string check over 6,000 nested arrays overflows the stack), and only the
 * text tells `36` from `36.0` or `3.6e+1` (Node 20's reviver gets no source).
 */

/** Deepest nesting of arrays and objects a body may have. */
export const MAX_JSON_DEPTH = 32;

/** A position in a parsed body: object keys and array indexes from the root. */
export type JsonPath = Array<string | number>;

/** What the scan found, kept for the request until its body is validated. */
export interface RawJsonFacts {
  /** Paths of the numbers not written as plain decimal integers (`36.0`, `3.6e+1`, `1e3`, `-0`). */
  looseNumbers: JsonPath[];
}

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const MINUS = 0x2d; // -
const DOT = 0x2e; // .
const PLUS = 0x2b; // +
const E_LOWER = 0x65; // e
const E_UPPER = 0x45; // E
const COMMA = 0x2c; // ,
const ZERO = 0x30;
const NINE = 0x39;

const isNumberByte = (b: number) =>
  (b >= ZERO && b <= NINE) ||
  b === MINUS ||
  b === PLUS ||
  b === DOT ||
  b === E_LOWER ||
  b === E_UPPER;

/** Index just past the string that opens at `start` (a quote). */
function skipString(bytes: Uint8Array, start: number): number {
  let from = start + 1;
  for (;;) {
    // The native search is what keeps long strings cheap.
    const quote = bytes.indexOf(QUOTE, from);
    if (quote < 0) return bytes.length;
    // Escaped when an odd number of backslashes precede it.
    let backslashes = 0;
    for (let j = quote - 1; j > start && bytes[j] === BACKSLASH; j -= 1) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Index just past the number literal that starts at `start`, and whether it is a plain integer. */
function scanNumber(bytes: Uint8Array, start: number): { end: number; plain: boolean } {
  let end = start;
  let plain = true;
  while (end < bytes.length && isNumberByte(bytes[end]!)) {
    const b = bytes[end]!;
    if (b === DOT || b === E_LOWER || b === E_UPPER || b === PLUS) plain = false;
    end += 1;
  }
  // `-0` is an integer's text but not a plain one (its value is negative zero).
  if (end - start === 2 && bytes[start] === MINUS && bytes[start + 1] === ZERO) plain = false;
  return { end, plain };
}

/** The body nests deeper than MAX_JSON_DEPTH. */
export class JsonTooDeepError extends Error {
  override readonly name = 'JsonTooDeepError';
  constructor(readonly maxDepth: number) {
    super(`nests arrays and objects deeper than ${maxDepth} levels`);
  }
}

/**
 * Scans raw JSON bytes: throws JsonTooDeepError past `maxDepth`, and returns
 * the paths of loosely written numbers. Malformed JSON is not diagnosed here
 * (JSON.parse does that next); the scan only never misreads valid JSON.
 */
export function scanRawJson(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH): RawJsonFacts {
  let depth = 0;
  let loose = false;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === QUOTE) {
      i = skipString(bytes, i);
      continue;
    }
    if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      depth += 1;
      if (depth > maxDepth) throw new JsonTooDeepError(maxDepth);
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
      depth -= 1;
    } else if (b === MINUS || (b >= ZERO && b <= NINE)) {
      const number = scanNumber(bytes, i);
      if (!number.plain) loose = true;
      i = number.end;
      continue;
    }
    i += 1;
  }
  // The common case ends here; paths are worked out only for a body that needs them.
  return { looseNumbers: loose ? loosePaths(bytes) : [] };
}

interface Frame {
  array: boolean;
  /** The current key (objects) or index (arrays). */
  at: string | number;
  /** In an object: the next string is a key. */
  expectKey: boolean;
}

/** The paths of loosely written numbers, by a second pass that follows keys and indexes. */
function loosePaths(bytes: Uint8Array): JsonPath[] {
  const found: JsonPath[] = [];
  const stack: Frame[] = [];
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const top = stack[stack.length - 1];
    if (b === QUOTE) {
      const end = skipString(bytes, i);
      if (top && !top.array && top.expectKey) {
        try {
          top.at = JSON.parse(Buffer.from(bytes.subarray(i, end)).toString('utf8')) as string;
        } catch {
          top.at = '?';
        }
        top.expectKey = false;
      }
      i = end;
      continue;
    }
    if (b === OPEN_OBJECT) stack.push({ array: false, at: '', expectKey: true });
    else if (b === OPEN_ARRAY) stack.push({ array: true, at: 0, expectKey: false });
    else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) stack.pop();
    else if (b === COMMA && top) {
      if (top.array) top.at = (top.at as number) + 1;
      else top.expectKey = true;
    } else if (b === MINUS || (b >= ZERO && b <= NINE)) {
      const number = scanNumber(bytes, i);
      if (!number.plain) found.push(stack.map((frame) => frame.at));
      i = number.end;
      continue;
    }
    i += 1;
  }
  return found;
}
