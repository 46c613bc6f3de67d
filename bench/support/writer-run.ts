import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { msSince } from './report';

const TSX = path.resolve(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
const WRITER = path.join(__dirname, 'writer.ts');

/** Each write's latency in ms, by kind, and every write's start (epoch ms) and latency (bench/support/writer.ts). */
export interface Latencies {
  insert: number[];
  update: number[];
  writes: Array<[number, number]>;
}

function startWriter(
  url: string,
): Promise<{ child: ChildProcess; stop: () => Promise<Latencies> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [WRITER, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.on('error', reject);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith('ready\n') && out.length === 'ready\n'.length) {
        resolve({
          child,
          stop: () =>
            new Promise<Latencies>((done, fail) => {
              child.once('close', (code) => {
                if (code !== 0) return fail(new Error(`writer exited ${code}`));
                done(JSON.parse(out.slice('ready\n'.length)) as Latencies);
              });
              child.kill('SIGTERM');
            }),
        });
      }
    });
  });
}

/** Runs `work` while the writer writes to `url`; its duration and the writer's latencies. */
export async function measureWithWriter(
  url: string,
  work: () => Promise<void>,
): Promise<{ ms: number; latencies: Latencies }> {
  const writer = await startWriter(url);
  const started = process.hrtime.bigint();
  try {
    await work();
  } catch (error) {
    await writer.stop();
    throw error;
  }
  const ms = msSince(started);
  return { ms, latencies: await writer.stop() };
}
