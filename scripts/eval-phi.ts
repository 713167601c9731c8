// Evaluates the PHI engine on every development corpus in ../shared/corpus (or PHI_CORPUS_DIR), side by side:
//   npm run eval:phi -- [--only NAME,…] [--json] [--check] [--show-misses N] [--show-false-positives N]
//                       [--weights FILE] [--help]
// Annotated sets give recall by type and precision; PHI-free sets give the share of texts the engine would alter.
// The PhysioNet notes are reported in two columns: the held-out patients (isHeldOutPatient below; the headline)
// and the development patients (the rest). --check fails (exit 1) when a figure is below its floor in
// scripts/phi-floors.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { detect, warmUpPhi, type PhiEntity } from '../lib/phi';
import { detectWith } from '../lib/phi/detect';
import { US_STATES } from '../lib/phi/lexicon';
import { parseWeights } from '../lib/phi/model/shipped';

const USAGE = `usage: npm run eval:phi -- [options]
  --only NAME,…               corpora to evaluate: physionet (both parts), physionet-heldout, physionet-dev,
                              presidio, primock57, medquad
  --json                      the results as JSON
  --check                     exit 1 when a figure is below its floor in scripts/phi-floors.json
  --show-misses N             print up to N missed identifiers (held-out patients first)
  --show-false-positives N    print up to N false alarms (held-out patients first)
  --weights FILE              evaluate another tagger weights file instead of lib/phi/model/weights.bin
The held-out patients' misses and false alarms are shown for reading only: never write or tune a rule, a word
list, a cue or a training setting on them. The held-out figure is worth something only as long as nothing of
that text shaped the engine; once it has, a fresh held-out set (new notes) is needed and this one is spent.
`;

/**
 * The held-out development patients of the PhysioNet notes: every patient id whose
 * `((pid * 2654435761) >>> 0) % 5 === 0` (Knuth's multiplicative hash: about a fifth of the patients, spread over
 * the file rather than "the last patients"; in physionet-deid-dev.jsonl 16 of 82 patients, 228 of 1,450 notes).
 * A patient's notes stay together, since they share names.
 *
 * NEVER CHANGE THIS DEFINITION (the multiplier, the modulus, the remainder). The shipped model is trained on
 * every other patient's notes (scripts/phi-train.ts leaves these out), so the held-out figures are the only
 * PhysioNet figures no trained weight has seen. Another definition would move notes the model was trained on
 * into the held-out set and silently turn the headline figure into an in-sample one. If this set is ever spent
 * (a rule, a word list or a training setting shaped on its text), replace it with new notes, not a new hash.
 */
export function isHeldOutPatient(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid < 0 || pid >= 2 ** 21) throw new Error(`not a patient id: ${pid}`);
  return ((pid * 2654435761) >>> 0) % 5 === 0;
}

export interface GoldSpan {
  start: number;
  end: number;
  type: string;
}
export interface Doc {
  id: string;
  text: string;
  /** Annotated spans; undefined for a PHI-free set. */
  phi?: GoldSpan[];
  /** A held-out patient's note (physionet only): never trained on, reported apart. */
  heldOut?: boolean;
}

/** What a gold span is to Safe Harbor: an identifier to find, or an annotation that is not one (neutral). */
type Judge = (g: GoldSpan, text: string) => boolean;

export interface CorpusSpec {
  name: string;
  file: string;
  kind: 'annotated' | 'phi-free';
  judge?: Judge;
  read: (line: Record<string, unknown>, n: number) => Doc;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
/** Country names in English, from the runtime's ICU data (ISO 3166 codes AA..ZZ). */
const COUNTRIES: ReadonlySet<string> = (() => {
  const out = new Set<string>(['united states of america', 'usa', 'uk', 'holland', 'czech republic']);
  for (let a = 65; a <= 90; a++)
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      try {
        const n = regionNames.of(code);
        if (n && n !== code) out.add(n.toLowerCase());
      } catch {
        // not a region code
      }
    }
  return out;
})();

const WEEKDAY_OR_VAGUE = /^[^\d]*$/;
const YEAR_ALONE = /^(?:(?:19|20)\d\d|'\d\d)$/;
const MONTH_WORD = /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b/i;

// A year alone, a country or a state alone, an age under 90, a title, a nationality or an organisation are not
// Safe Harbor identifiers: they are kept out of recall and are never counted as false alarms either.
const presidioJudge: Judge = (g, text) => {
  const v = text.slice(g.start, g.end).trim();
  switch (g.type) {
    case 'TITLE':
    case 'NRP':
    case 'ORGANIZATION':
      return false;
    case 'GPE': {
      const l = v.toLowerCase().replace(/\s+/g, ' ');
      return !COUNTRIES.has(l) && !US_STATES.has(l) && !(v.length === 2 && v === v.toUpperCase());
    }
    case 'DATE_TIME':
      return !YEAR_ALONE.test(v) && !(WEEKDAY_OR_VAGUE.test(v) && !MONTH_WORD.test(v));
    case 'AGE':
      return Number(v.replace(/\D/g, '')) > 89;
    default:
      return true;
  }
};

export const CORPORA: CorpusSpec[] = [
  {
    name: 'physionet',
    file: 'physionet-deid-dev.jsonl',
    kind: 'annotated',
    // A year alone is not a Safe Harbor identifier.
    judge: (g) => g.type !== 'DateYear',
    read: (l, n) => {
      const pid = Number(l.pid);
      if (l.pid === undefined || !Number.isSafeInteger(pid))
        throw new Error(
          `physionet line ${n + 1}: no patient id, so it cannot be put in or out of the held-out set`,
        );
      return {
        id: `${pid}/${String(l.note ?? n)}`,
        text: l.text as string,
        phi: l.phi as GoldSpan[],
        heldOut: isHeldOutPatient(pid),
      };
    },
  },
  {
    name: 'presidio',
    file: 'presidio-synth.jsonl',
    kind: 'annotated',
    judge: presidioJudge,
    read: (l, n) => ({ id: String(n), text: l.text as string, phi: l.phi as GoldSpan[] }),
  },
  {
    name: 'primock57',
    file: 'primock57-notes.jsonl',
    kind: 'phi-free',
    read: (l, n) => ({ id: String(l.id ?? n), text: l.text as string }),
  },
  {
    name: 'medquad',
    file: 'medquad-a.jsonl',
    kind: 'phi-free',
    read: (l, n) => ({ id: String(l.id ?? n), text: l.text as string }),
  },
];

export function corpusDir(): string | undefined {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  return [process.env.PHI_CORPUS_DIR, resolve(repo, '../shared/corpus'), '/work/shared/corpus'].find(
    (d): d is string => !!d && existsSync(resolve(d, 'README.md')),
  );
}

export function loadCorpus(spec: CorpusSpec, dir: string): Doc[] | undefined {
  const file = resolve(dir, spec.file);
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, n) => spec.read(JSON.parse(l) as Record<string, unknown>, n));
}

const ALNUM = /[\p{L}\p{N}]/u;
const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }): boolean =>
  a.start < b.end && b.start < a.end;

interface TypeRow {
  gold: number;
  lenient: number;
  strict: number;
  lenientRecall: number;
  strictRecall: number;
}

export interface CorpusResult {
  name: string;
  kind: CorpusSpec['kind'];
  /** physionet only: which patients. */
  part?: 'held-out' | 'development';
  texts: number;
  /** Annotated sets. */
  goldSpans: number;
  strictRecall: number;
  lenientRecall: number;
  precision: number;
  detected: number;
  falsePositives: number;
  perGoldType: Record<string, TypeRow>;
  /** Texts with no identifier (all of a PHI-free set) and how many the engine would alter. */
  phiFreeTexts: number;
  phiFreeAltered: number;
  alteredShare: number;
  msPerKb: number;
}

export type Finder = (text: string) => PhiEntity[];

export interface Shown {
  misses: string[];
  falsePositives: string[];
}

function snippet(text: string, s: { start: number; end: number }): string {
  const before = text.slice(Math.max(0, s.start - 40), s.start);
  return JSON.stringify(`${before}<<${text.slice(s.start, s.end)}>>${text.slice(s.end, s.end + 25)}`);
}

export function evaluateCorpus(
  spec: CorpusSpec,
  docs: Doc[],
  find: Finder = detect,
  show?: { misses: number; falsePositives: number; out: Shown },
): CorpusResult {
  const perGold: Record<string, { gold: number; lenient: number; strict: number }> = {};
  let gold = 0;
  let lenient = 0;
  let strict = 0;
  let detected = 0;
  let fp = 0;
  let phiFree = 0;
  let altered = 0;
  let chars = 0;
  let elapsed = 0;
  for (const doc of docs) {
    const t0 = performance.now();
    const found = find(doc.text);
    elapsed += performance.now() - t0;
    chars += doc.text.length;
    const all = doc.phi ?? [];
    const real = spec.judge ? all.filter((g) => spec.judge?.(g, doc.text)) : all;
    const covered = new Uint8Array(doc.text.length);
    for (const e of found) covered.fill(1, e.start, e.end);
    for (const g of real) {
      const row = (perGold[g.type] ??= { gold: 0, lenient: 0, strict: 0 });
      row.gold++;
      gold++;
      if (found.some((e) => overlaps(e, g))) {
        row.lenient++;
        lenient++;
      }
      let full = true;
      for (let i = g.start; i < g.end; i++) if (!covered[i] && ALNUM.test(doc.text[i] ?? '')) full = false;
      if (full) {
        row.strict++;
        strict++;
      } else if (show && show.out.misses.length < show.misses) {
        show.out.misses.push(`${spec.name} ${g.type}\t${snippet(doc.text, g)}`);
      }
    }
    let flagged = false;
    for (const e of found) {
      const on = all.filter((g) => overlaps(e, g));
      // On an annotation that is not an identifier (a country, a year): neither a hit nor a false alarm.
      if (on.length > 0 && !on.some((g) => real.includes(g))) continue;
      detected++;
      if (on.length === 0) {
        fp++;
        flagged = true;
        if (show && show.out.falsePositives.length < show.falsePositives)
          show.out.falsePositives.push(`${spec.name} ${e.type}\t${snippet(doc.text, e)}`);
      }
    }
    if (real.length === 0) {
      phiFree++;
      if (flagged) altered++;
    }
  }
  const ratio = (a: number, b: number): number => (b === 0 ? 1 : a / b);
  return {
    name: spec.name,
    kind: spec.kind,
    texts: docs.length,
    goldSpans: gold,
    strictRecall: ratio(strict, gold),
    lenientRecall: ratio(lenient, gold),
    precision: ratio(detected - fp, detected),
    detected,
    falsePositives: fp,
    perGoldType: Object.fromEntries(
      Object.entries(perGold).map(([k, r]) => [
        k,
        { ...r, lenientRecall: ratio(r.lenient, r.gold), strictRecall: ratio(r.strict, r.gold) },
      ]),
    ),
    phiFreeTexts: phiFree,
    phiFreeAltered: altered,
    alteredShare: phiFree === 0 ? 0 : altered / phiFree,
    msPerKb: elapsed / (chars / 1024),
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

function table(results: CorpusResult[]): string {
  const lines: string[] = [];
  const head = ['', ...results.map((r) => r.name)];
  if (results.some((r) => r.part))
    lines.push(
      'physionet-heldout: held-out patients (never trained on; the headline). physionet-dev: development patients.',
      '',
    );
  const rows: string[][] = [
    ['texts', ...results.map((r) => String(r.texts))],
    ['identifiers', ...results.map((r) => (r.kind === 'annotated' ? String(r.goldSpans) : '-'))],
    ['strict recall', ...results.map((r) => (r.kind === 'annotated' ? pct(r.strictRecall) : '-'))],
    ['lenient recall', ...results.map((r) => (r.kind === 'annotated' ? pct(r.lenientRecall) : '-'))],
    ['precision', ...results.map((r) => (r.kind === 'annotated' ? pct(r.precision) : '-'))],
    ['false alarms', ...results.map((r) => String(r.falsePositives))],
    [
      'PHI-free texts altered',
      ...results.map((r) => `${r.phiFreeAltered}/${r.phiFreeTexts} ${pct(r.alteredShare)}`),
    ],
    ['ms per KB', ...results.map((r) => r.msPerKb.toFixed(3))],
  ];
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => (r[i] ?? '').length)));
  for (const r of [head, ...rows])
    lines.push(r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  '));
  for (const r of results) {
    if (r.kind !== 'annotated') continue;
    lines.push('', `${r.name}: recall by type       spans   strict  lenient`);
    for (const [k, v] of Object.entries(r.perGoldType).sort((a, b) => b[1].gold - a[1].gold))
      lines.push(
        `  ${k.padEnd(28)} ${String(v.gold).padStart(5)}  ${pct(v.strictRecall).padStart(7)}  ${pct(v.lenientRecall).padStart(7)}`,
      );
  }
  return lines.join('\n');
}

interface Floor {
  strictRecall?: number;
  lenientRecall?: number;
  precision?: number;
  /** Largest share of PHI-free texts altered. */
  maxAltered?: number;
  /** Per gold type: strict recall. */
  types?: Record<string, number>;
}

function checkFloors(results: CorpusResult[]): string[] {
  const file = resolve(dirname(fileURLToPath(import.meta.url)), 'phi-floors.json');
  const floors = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Floor | string>;
  const failures: string[] = [];
  for (const r of results) {
    const f = floors[r.name];
    if (!f || typeof f === 'string') continue;
    if (f.strictRecall !== undefined && r.strictRecall < f.strictRecall)
      failures.push(`${r.name}: strict recall ${pct(r.strictRecall)} < ${pct(f.strictRecall)}`);
    if (f.lenientRecall !== undefined && r.lenientRecall < f.lenientRecall)
      failures.push(`${r.name}: lenient recall ${pct(r.lenientRecall)} < ${pct(f.lenientRecall)}`);
    if (f.precision !== undefined && r.precision < f.precision)
      failures.push(`${r.name}: precision ${pct(r.precision)} < ${pct(f.precision)}`);
    if (f.maxAltered !== undefined && r.alteredShare > f.maxAltered)
      failures.push(`${r.name}: PHI-free texts altered ${pct(r.alteredShare)} > ${pct(f.maxAltered)}`);
    for (const [type, min] of Object.entries(f.types ?? {})) {
      const got = r.perGoldType[type]?.strictRecall ?? 0;
      if (got < min) failures.push(`${r.name} ${type}: strict recall ${pct(got)} < ${pct(min)}`);
    }
  }
  return failures;
}

/** The same corpus under another name, for one part of it. */
function part(spec: CorpusSpec, suffix: string): CorpusSpec {
  return { ...spec, name: `${spec.name}-${suffix}` };
}

/**
 * Evaluates one corpus; a corpus with held-out texts (physionet) as two results: its held-out texts first
 * (`NAME-heldout`), then its development texts (`NAME-dev`). The two are never pooled: the development texts
 * shaped the engine, the held-out ones did not, and a pooled figure would hide the difference.
 */
export function evaluateParts(
  spec: CorpusSpec,
  docs: Doc[],
  wanted: (name: string) => boolean,
  find: Finder,
  show?: { misses: number; falsePositives: number; out: Shown },
): CorpusResult[] {
  if (!docs.some((d) => d.heldOut)) return wanted(spec.name) ? [evaluateCorpus(spec, docs, find, show)] : [];
  const results: CorpusResult[] = [];
  const h = part(spec, 'heldout');
  const v = part(spec, 'dev');
  if (wanted(spec.name) || wanted(h.name))
    results.push({
      ...evaluateCorpus(
        h,
        docs.filter((d) => d.heldOut),
        find,
        show,
      ),
      part: 'held-out',
    });
  if (wanted(spec.name) || wanted(v.name))
    results.push({
      ...evaluateCorpus(
        v,
        docs.filter((d) => !d.heldOut),
        find,
        show,
      ),
      part: 'development',
    });
  return results;
}

function main(): void {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const opt = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const json = argv.includes('--json');
  const check = argv.includes('--check');
  const only = opt('--only')?.split(',');
  const wanted = (name: string): boolean => !only || only.includes(name);
  const dir = corpusDir();
  if (!dir) {
    process.stdout.write(
      'PHI evaluation skipped: no corpus folder (set PHI_CORPUS_DIR, or place the corpora at ../shared/corpus)\n',
    );
    return;
  }
  warmUpPhi();
  const weightsFile = opt('--weights');
  const tagger = weightsFile ? parseWeights(readFileSync(resolve(weightsFile))) : undefined;
  const find: Finder = tagger ? (text) => detectWith(text, { tagger }) : detect;
  const shown: Shown = { misses: [], falsePositives: [] };
  const show = {
    misses: Number(opt('--show-misses') ?? 0),
    falsePositives: Number(opt('--show-false-positives') ?? 0),
    out: shown,
  };
  const results: CorpusResult[] = [];
  for (const spec of CORPORA) {
    if (!wanted(spec.name) && !wanted(`${spec.name}-heldout`) && !wanted(`${spec.name}-dev`)) continue;
    const docs = loadCorpus(spec, dir);
    if (!docs) {
      process.stdout.write(`${spec.name}: ${spec.file} not found in ${dir}, skipped\n`);
      continue;
    }
    results.push(...evaluateParts(spec, docs, wanted, find, show));
  }
  if (
    shown.misses.some((m) => m.includes('-heldout ')) ||
    shown.falsePositives.some((m) => m.includes('-heldout '))
  )
    process.stderr.write(
      'held-out patients below: for reading only. Shaping a rule, a word list or a setting on them spends the held-out set.\n',
    );
  if (shown.misses.length) process.stderr.write(`misses:\n${shown.misses.join('\n')}\n`);
  if (shown.falsePositives.length)
    process.stderr.write(`false alarms:\n${shown.falsePositives.join('\n')}\n`);
  process.stdout.write(
    json
      ? `${JSON.stringify(results, null, 2)}\n`
      : `corpora in ${dir}${weightsFile ? `, weights ${weightsFile}` : ''}\n${table(results)}\n`,
  );
  if (check) {
    const failures = checkFloors(results);
    if (failures.length) {
      process.stderr.write(`PHI evaluation below its floors:\n  ${failures.join('\n  ')}\n`);
      process.exitCode = 1;
    } else process.stdout.write('PHI evaluation: every floor in scripts/phi-floors.json holds\n');
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
