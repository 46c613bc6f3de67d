import { createHash } from 'node:crypto';
import { Transform, Writable, type TransformCallback } from 'node:stream';

/** A pass-through that hashes (SHA-256), counts bytes and counts COPY text rows (lines). */
export class HashingCounter extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;
  rows = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    // COPY text format escapes newlines inside values, so each 0x0A ends a row.
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) this.rows += 1;
    done(null, chunk);
  }

  /** The hex digest; call once the stream has ended. */
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** The COPY that reads a table's columns in a fixed row order, the order dumps are hashed in. */
export function selectForCopy(
  qualifiedTable: string,
  columns: string[],
  orderBy: string[] | undefined,
  quote: (s: string) => string,
) {
  const order = orderBy?.length ? orderBy.map(quote).join(', ') : '1';
  return `COPY (SELECT ${columns.map(quote).join(', ')} FROM ${qualifiedTable} ORDER BY ${order}) TO STDOUT`;
}

/** A sink that drops what it is given, to drain a stream that was only read for its hash. */
export function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
