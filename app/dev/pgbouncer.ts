import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../db/embedded-postgres';

export type PoolMode = 'session' | 'transaction';

/** A PgBouncer process in front of the test server. */
export interface PgBouncer {
  /** Its address with the server's user and password, without a database name. */
  readonly serverUrl: string;
  readonly poolMode: PoolMode;
  /** Its process id (to pause it, as a network that stops answering would). */
  readonly pid: number;
  stop(): Promise<void>;
}

/** Debian's pgbouncer is not installed: the message says how to install it. */
export class PgBouncerMissingError extends Error {
  override readonly name = 'PgBouncerMissingError';
  constructor() {
    super(
      'PgBouncer is not installed, and these tests run the app and the migrator through a real one. ' +
        'Install it with: sudo apt-get install pgbouncer (Debian/Ubuntu; Homebrew: brew install pgbouncer), ' +
        'or set PGBOUNCER_BIN to its path. CI (.ci/run) installs it.',
    );
  }
}

/** The pgbouncer binary: PGBOUNCER_BIN when set (and only it), else the Debian path, else the PATH. */
export function findPgBouncer(): string | undefined {
  const explicit = process.env.PGBOUNCER_BIN;
  if (explicit) return fs.existsSync(explicit) ? explicit : undefined;
  for (const candidate of ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, 'pgbouncer');
    if (dir && fs.existsSync(file)) return file;
  }
  return undefined;
}

/** pgbouncer refuses to run as root; as root it runs as `postgres`, like the embedded server. */
function runAsUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString());
  try {
    id('-u');
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
  }
  return { name: 'postgres', uid: id('-u'), gid: id('-g') };
}

function waitForPort(port: number, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) {
        reject(new Error(`pgbouncer exited (${child.exitCode}): ${readLog(log)}`));
        return;
      }
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`pgbouncer did not listen: ${readLog(log)}`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

function readLog(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts a PgBouncer in front of the PostgreSQL server at `serverUrl` (a
 * URL without a database): every database name is passed through, clients
 * log in with the server's own user and password. Files live in a temp
 * folder removed by stop().
 */
export async function startPgBouncer(
  serverUrl: string,
  poolMode: PoolMode,
  options: { defaults?: boolean } = {},
): Promise<PgBouncer> {
  const bin = findPgBouncer();
  if (!bin) throw new PgBouncerMissingError();
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username || 'postgres');
  const password = decodeURIComponent(server.password);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-pgbouncer-'));
  const owner = runAsUser();
  const ini = path.join(dir, 'pgbouncer.ini');
  const userlist = path.join(dir, 'userlist.txt');
  const log = path.join(dir, 'pgbouncer.log');
  fs.writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      `auth_type = ${password ? 'scram-sha-256' : 'trust'}`,
      `auth_file = ${userlist}`,
      `pool_mode = ${poolMode}`,
      'max_client_conn = 1000',
      'default_pool_size = 20',
      // Several server connections per database, handed out in turn: a
      // client's consecutive transactions then really land on different
      // sessions, so a dependency on session state shows at once. With
      // `defaults`, PgBouncer's own: the most recently used one first.
      ...(options.defaults ? [] : ['min_pool_size = 4', 'server_round_robin = 1']),
      // pg sends none of these, but psql and some drivers do.
      'ignore_startup_parameters = extra_float_digits',
      `logfile = ${log}`,
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
  );
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  fs.writeFileSync(userlist, `${quote(user)} ${quote(password)}\n`, { mode: 0o600 });
  if (owner) {
    fs.chmodSync(dir, 0o755);
    for (const file of [ini, userlist, dir]) fs.chownSync(file, owner.uid, owner.gid);
  }
  const args = owner ? ['-u', owner.name, ini] : [ini];
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await waitForPort(port, child, log);
  } catch (error) {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message} ${stderr.trim()}`, { cause: error });
  }
  const url = new URL(`postgres://127.0.0.1:${port}/`);
  url.username = server.username;
  url.password = server.password;
  return {
    serverUrl: url.toString(),
    poolMode,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGCONT');
        const exited = new Promise((resolve) => child.once('exit', resolve));
        // SIGINT: close at once, without waiting for clients.
        child.kill('SIGINT');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
