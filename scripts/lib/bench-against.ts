/**
 * `npm run bench -- --against <commit>`: another commit's server and this checkout's, measured one after the other
 * in one sitting by this checkout's bench, then their figures side by side. The other commit is checked out in a git
 * worktree under `.data/bench-against/<sha>` with its own `npm ci` (kept for the next time), and this bench starts
 * its `scripts/lib/proxy-main.ts` (`--server`): the same load tool, variants, upstream and database for both sides.
 * (Each commit's own bench script, which this used to run, measured differently as the bench changed: another load
 * tool, other variants.) The database has this checkout's schema: a commit whose server needs another one fails with
 * its own error. Only the proxy tables are compared; the in-process sections measure this checkout's code.
 * This machine drifts by 20–40 % between runs minutes apart
 * (the same commit measured twice in a row differed by that much), so the runs go in ABBA order (`--pairs N`, default
 * 2: old, new, new, old), which cancels a steady drift, and each side's figures are the mean of its runs. The ratio
 * to the bare node:http + undici forward, measured inside each run, is the other figure to compare.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

type Row = Record<string, string | number>;
export interface BenchJson {
  proxy: Row[];
  variants: Row[];
}

const say = (m: string) => process.stderr.write(`[bench --against] ${m}\n`);

function git(root: string, args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
}

/** Runs a command with its output on this process's stderr; rejects on a non-zero exit. */
function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', process.stderr, process.stderr] });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code} in ${cwd}`)),
    );
  });
}

/** A worktree of `sha` with its dependencies installed (reused when it is already there). */
async function worktree(root: string, sha: string): Promise<string> {
  const dir = path.join(root, '.data', 'bench-against', sha);
  if (!existsSync(path.join(dir, 'package.json'))) {
    mkdirSync(path.dirname(dir), { recursive: true });
    git(root, ['worktree', 'prune']);
    say(`checking out ${sha.slice(0, 10)} in ${path.relative(root, dir)}`);
    git(root, ['worktree', 'add', '--detach', '--force', dir, sha]);
  }
  if (!existsSync(path.join(dir, 'node_modules', '.package-lock.json'))) {
    say('installing its dependencies (kept for the next run)');
    // An older lock file may not satisfy today's npm ci (optional platform packages it did not list): then npm
    // install, which resolves the same ranges, in the throwaway worktree.
    await run('npm', ['ci', '--no-audit', '--no-fund'], dir).catch(() =>
      run('npm', ['install', '--no-audit', '--no-fund'], dir),
    );
  }
  return dir;
}

const num = (v: string | number | undefined): number | undefined =>
  v === undefined || v === '' || Number.isNaN(Number(v)) ? undefined : Number(v);

function ratio(a: number | undefined, b: number | undefined): string {
  return a !== undefined && b ? (a / b).toFixed(3) : '–';
}

/** One run's figures from several: each numeric field the mean of the runs' (rows matched by position). */
export function meanOf(runs: BenchJson[]): BenchJson {
  const avg = (rows: Row[][]): Row[] =>
    (rows[0] ?? []).map((first, i) =>
      Object.fromEntries(
        Object.entries(first).map(([k, v]) => {
          const xs = rows.map((r) => num(r[i]?.[k]));
          if (typeof v === 'string' && Number.isNaN(Number(v))) return [k, v];
          if (xs.some((x) => x === undefined)) return [k, v];
          const m = (xs as number[]).reduce((a, b) => a + b, 0) / xs.length;
          return [k, Math.abs(m) >= 100 ? Math.round(m) : Number(m.toFixed(3))];
        }),
      ),
    );
  return { proxy: avg(runs.map((r) => r.proxy)), variants: avg(runs.map((r) => r.variants)) };
}

/** The figures both benches print, side by side: proxy rows by answer, variants by name. */
export function sideBySide(label: [string, string], old: BenchJson, now: BenchJson): Row[] {
  const out: Row[] = [];
  for (const answer of ['plain', 'streamed']) {
    const o = old.proxy.find((r) => r.answer === answer);
    const n = now.proxy.find((r) => r.answer === answer);
    if (!o || !n) continue;
    const [po, pn] = [num(o['Portico req/s']), num(n['Portico req/s'])];
    out.push({
      figure: `${answer}: Portico req/s`,
      [label[0]]: po ?? '–',
      [label[1]]: pn ?? '–',
      'new / old': ratio(pn, po),
    });
    const [bo, bn] = [num(o['bare forward req/s']), num(n['bare forward req/s'])];
    if (bo !== undefined || bn !== undefined) {
      out.push({
        figure: `${answer}: bare forward req/s`,
        [label[0]]: bo ?? '–',
        [label[1]]: bn ?? '–',
        'new / old': ratio(bn, bo),
      });
      out.push({
        figure: `${answer}: Portico / bare forward`,
        [label[0]]: ratio(po, bo),
        [label[1]]: ratio(pn, bn),
        'new / old':
          po !== undefined && bo && pn !== undefined && bn ? (pn / bn / (po / bo)).toFixed(3) : '–',
      });
    }
    const [lo, ln] = [num(o['added p50 ms']), num(n['added p50 ms'])];
    out.push({
      figure: `${answer}: added p50 ms`,
      [label[0]]: lo ?? '–',
      [label[1]]: ln ?? '–',
      'new / old': ratio(ln, lo),
    });
  }
  for (const v of now.variants) {
    const o = old.variants.find((r) => r.variant === v.variant);
    if (!o) continue;
    const [ro, rn] = [num(o['req/s (median)']), num(v['req/s (median)'])];
    out.push({
      figure: `${String(v.variant)}: req/s`,
      [label[0]]: ro ?? '–',
      [label[1]]: rn ?? '–',
      'new / old': ratio(rn, ro),
    });
    const [qo, qn] = [num(o['p99 ms']), num(v['p99 ms'])];
    if (qo !== undefined || qn !== undefined)
      out.push({
        figure: `${String(v.variant)}: p99 ms at 32 connections`,
        [label[0]]: qo ?? '–',
        [label[1]]: qn ?? '–',
        'new / old': ratio(qn, qo),
      });
    const [co, cn] = [num(o['CPU µs/req Portico']), num(v['CPU µs/req Portico'])];
    if (co !== undefined || cn !== undefined)
      out.push({
        figure: `${String(v.variant)}: Portico CPU µs/req`,
        [label[0]]: co ?? '–',
        [label[1]]: cn ?? '–',
        'new / old': ratio(cn, co),
      });
  }
  return out;
}

/**
 * The arguments of one side's run of this checkout's bench: the options given (not --against, --pairs, --json or
 * --server), the other commit's server for the old side, and where to write the figures.
 */
export function sideArgs(
  side: 'old' | 'new',
  worktreeDir: string,
  argv: string[],
  jsonFile: string,
): string[] {
  return [...passedOn(argv), ...(side === 'old' ? ['--server', worktreeDir] : []), '--json', jsonFile];
}

/** Bench options passed on to both runs (not --against or --json). */
function passedOn(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--against' || a === '--json' || a === '--pairs' || a === '--server') {
      i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

export async function benchAgainst(root: string, commit: string, argv: string[]): Promise<void> {
  let sha: string;
  try {
    sha = git(root, ['rev-parse', '--verify', `${commit}^{commit}`]);
  } catch {
    throw new Error(`--against: no commit named ${commit} in this repository`);
  }
  const head = git(root, ['rev-parse', '--short=10', 'HEAD']);
  const dirty = git(root, ['status', '--porcelain', '--untracked-files=no']) !== '';
  const dir = await worktree(root, sha);
  const tmp = mkdtempSync(path.join(tmpdir(), 'portico-against-'));
  const count = argv.includes('--pairs') ? Number(argv[argv.indexOf('--pairs') + 1]) : 2;
  if (!Number.isInteger(count) || count < 1) throw new Error('--pairs: a whole number of at least 1');
  // ABBA: old, new, new, old, old, new, … so that a drift of the machine in one direction weighs on both sides.
  const order = Array.from({ length: count }, (_, k) =>
    k % 2 === 0 ? ['old', 'new'] : ['new', 'old'],
  ).flat();
  const runs: Record<'old' | 'new', BenchJson[]> = { old: [], new: [] };
  for (const [n, side] of order.entries()) {
    const file = path.join(tmp, `${n}-${side}.json`);
    const what =
      side === 'old'
        ? sha.slice(0, 10)
        : `this checkout (${head}${dirty ? ' with uncommitted changes' : ''})`;
    say(`${n + 1}/${order.length}: the server of ${what}`);
    const bench = [
      '--import',
      'tsx',
      'scripts/bench.ts',
      ...sideArgs(side as 'old' | 'new', dir, argv, file),
    ];
    await run(process.execPath, bench, root);
    runs[side as 'old' | 'new'].push(JSON.parse(readFileSync(file, 'utf8')) as BenchJson);
  }
  const now = `${head}${dirty ? '+' : ''}`;
  // The same commit twice (to see the machine's drift) still needs two columns.
  const label: [string, string] =
    sha.startsWith(head) && !dirty ? [`${head} (A)`, `${head} (B)`] : [sha.slice(0, 10), now];
  const rows = sideBySide(label, meanOf(runs.old), meanOf(runs.new));
  process.stdout.write(
    `\nSide by side, one sitting: ${order.length} runs in the order ${order.map((s) => (s === 'old' ? label[0] : label[1])).join(', ')}; ` +
      `each column the mean of its ${count} runs, each run with its own bare forward\n`,
  );
  console.table(rows);
}
