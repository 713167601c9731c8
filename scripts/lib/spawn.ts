import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Child {
  proc: ChildProcess;
  port: number;
  /** The server's own process id, when it printed one (tsx runs the script in a child of `proc`). */
  pid: number;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * The Node.js flags `npm start` gives the server in the checkout at `root` (package.json's start script, `exec tsx
 * <flags> scripts/start.ts`): a benchmark or a soak of the proxy alone runs it as production does.
 */
export function startNodeFlags(root: string): string[] {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts?: { start?: string };
  };
  const m = /\btsx((?:\s+--[\w-]+(?:=\S+)?)*)\s+scripts\/start\.ts\b/.exec(pkg.scripts?.start ?? '');
  return m?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
}

/** Starts `tsx [nodeFlags] <script>` and waits for it to print "ready <port>". */
export function spawnReady(
  root: string,
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
  nodeFlags: string[] = [],
): Promise<Child> {
  const proc = spawn(
    process.execPath,
    [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), ...nodeFlags, script, ...args],
    {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start in time:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /ready (\d+)(?: pid (\d+))?/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          proc,
          port: Number(m[1]),
          pid: Number(m[2] ?? proc.pid),
          output: () => out,
          stop: (signal = 'SIGTERM') =>
            new Promise((res) => {
              if (proc.exitCode !== null) return res(proc.exitCode);
              proc.once('exit', (code) => res(code));
              proc.kill(signal);
            }),
        });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before it was ready:\n${out}`));
    });
  });
}
