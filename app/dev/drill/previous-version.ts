import { fork } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../project-root';
import type { DrillTable, FromWriter, IdRanges, ToWriter, WriteRecord } from './writer-protocol';

const SCRIPT = path.join(__dirname, 'previous-version-writer.ts');

/** What the previous version wrote, and what failed. */
export interface WriterLog {
  /** The ids each table held before it started (rows that existed before the migration). */
  ranges: IdRanges;
  writes: WriteRecord[];
  errors: string[];
}

/** A running previous-version writer (its own process). */
export interface PreviousVersionWriter {
  readonly ranges: IdRanges;
  /** Rows the new version created that the previous version may now update too. */
  adopt(table: DrillTable, ids: number[]): void;
  /** Stops it after its current write and returns every write it made. */
  stop(): Promise<WriterLog>;
  /** Kills it without waiting (clean-up after a failure). */
  kill(): void;
}

/** Starts the previous version's writer on `url`; resolves once it is connected and writing. */
export function startPreviousVersionWriter(url: string): Promise<PreviousVersionWriter> {
  const child = fork(SCRIPT, [url], {
    cwd: PROJECT_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const post = (message: ToWriter) => {
    if (child.connected) child.send(message);
  };
  return new Promise((resolve, reject) => {
    void exited.then((code) =>
      reject(new Error(`previous-version writer exited ${code}: ${stderr}`)),
    );
    child.once('message', (ready: FromWriter) => {
      if (ready.type !== 'ready') return reject(new Error(`writer said ${ready.type} first`));
      resolve({
        ranges: ready.ranges,
        adopt: (table, ids) => post({ type: 'adopt', table, ids }),
        kill: () => child.kill('SIGKILL'),
        stop: () =>
          new Promise<WriterLog>((done, fail) => {
            child.once('message', (result: FromWriter) => {
              if (result.type === 'result') done({ ranges: ready.ranges, ...result });
            });
            void exited.then((code) => {
              if (code !== 0) fail(new Error(`previous-version writer exited ${code}: ${stderr}`));
            });
            post({ type: 'stop' });
          }),
      });
    });
  });
}
