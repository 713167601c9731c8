// Evaluates the PHI engine on a JSONL corpus of annotated notes (the PhysioNet deid format):
//   npm run eval:phi -- [--corpus FILE] [--json] [--min-strict-recall 0.99] [--min-precision 0.85] [--show-misses N]
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { detect, warmUpPhi, type PhiEntity } from '../lib/phi';

interface GoldSpan {
  start: number;
  end: number;
  type: string;
  text?: string;
}
interface Note {
  pid?: number;
  note?: number;
  text: string;
  phi: GoldSpan[];
}

interface Options {
  corpus?: string;
  json: boolean;
  minStrictRecall?: number;
  minPrecision?: number;
  showMisses: number;
  showFalsePositives: number;
}

/** A year alone is not a Safe Harbor identifier: kept out of recall, and never a false positive. */
const YEAR_TYPE = 'DateYear';

function parseArgs(argv: string[]): Options {
  const o: Options = { json: false, showMisses: 0, showFalsePositives: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--corpus') o.corpus = next();
    else if (a === '--json') o.json = true;
    else if (a === '--min-strict-recall') o.minStrictRecall = Number(next());
    else if (a === '--min-precision') o.minPrecision = Number(next());
    else if (a === '--show-misses') o.showMisses = Number(next());
    else if (a === '--show-false-positives') o.showFalsePositives = Number(next());
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

export function findCorpus(explicit?: string): string | undefined {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const candidates = [
    explicit,
    process.env.PHI_CORPUS,
    resolve(repo, '../shared/corpus/physionet-deid-dev.jsonl'),
    '/work/shared/corpus/physionet-deid-dev.jsonl',
  ].filter((c): c is string => !!c);
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  return candidates.find((c) => existsSync(c));
}

const ALNUM = /[\p{L}\p{N}]/u;

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

interface TypeRow {
  gold: number;
  lenient: number;
  strict: number;
}

export interface EvalResult {
  corpus: string;
  notes: number;
  goldSpans: number;
  lenientRecall: number;
  strictRecall: number;
  precision: number;
  detected: number;
  truePositives: number;
  falsePositives: number;
  perGoldType: Record<string, TypeRow & { lenientRecall: number; strictRecall: number }>;
  perDetectedType: Record<string, { detected: number; truePositives: number; precision: number }>;
  phiFreeNotes: number;
  phiFreeNotesFlagged: number;
  throughput: { notesPerSec: number; kbPerSec: number; msPerNote: number };
}

export function evaluate(
  notes: Note[],
  corpus: string,
  opts: Pick<Options, 'showMisses' | 'showFalsePositives'>,
): EvalResult {
  warmUpPhi();
  const perGold: Record<string, TypeRow> = {};
  const perDet: Record<string, { detected: number; truePositives: number }> = {};
  let gold = 0;
  let lenient = 0;
  let strict = 0;
  let detected = 0;
  let tp = 0;
  let fp = 0;
  let phiFree = 0;
  let phiFreeFlagged = 0;
  let chars = 0;
  let elapsed = 0;
  const misses: string[] = [];
  const falsePositives: string[] = [];
  for (const note of notes) {
    const t0 = performance.now();
    const found: PhiEntity[] = detect(note.text);
    elapsed += performance.now() - t0;
    chars += note.text.length;
    const covered = new Uint8Array(note.text.length);
    for (const e of found) covered.fill(1, e.start, e.end);
    const realGold = note.phi.filter((g) => g.type !== YEAR_TYPE);
    for (const g of realGold) {
      const row = (perGold[g.type] ??= { gold: 0, lenient: 0, strict: 0 });
      row.gold++;
      gold++;
      const hit = found.some((e) => overlaps(e, g));
      let full = true;
      for (let i = g.start; i < g.end; i++) if (!covered[i] && ALNUM.test(note.text[i] ?? '')) full = false;
      if (hit) {
        row.lenient++;
        lenient++;
      }
      if (full) {
        row.strict++;
        strict++;
      } else if (misses.length < opts.showMisses) {
        misses.push(
          `${g.type}\t${JSON.stringify(note.text.slice(Math.max(0, g.start - 40), g.start) + '<<' + note.text.slice(g.start, g.end) + '>>' + note.text.slice(g.end, g.end + 25))}`,
        );
      }
    }
    let flagged = false;
    for (const e of found) {
      const onGold = note.phi.filter((g) => overlaps(e, g));
      if (onGold.length > 0 && onGold.every((g) => g.type === YEAR_TYPE)) continue;
      const row = (perDet[e.type] ??= { detected: 0, truePositives: 0 });
      row.detected++;
      detected++;
      if (onGold.length > 0) {
        row.truePositives++;
        tp++;
      } else {
        fp++;
        flagged = true;
        if (falsePositives.length < opts.showFalsePositives) {
          falsePositives.push(
            `${e.type}\t${JSON.stringify(note.text.slice(Math.max(0, e.start - 30), e.start) + '<<' + note.text.slice(e.start, e.end) + '>>' + note.text.slice(e.end, e.end + 20))}`,
          );
        }
      }
    }
    if (realGold.length === 0) {
      phiFree++;
      if (flagged) phiFreeFlagged++;
    }
  }
  if (misses.length) process.stderr.write(`misses:\n${misses.join('\n')}\n`);
  if (falsePositives.length) process.stderr.write(`false positives:\n${falsePositives.join('\n')}\n`);
  const ratio = (a: number, b: number): number => (b === 0 ? 1 : a / b);
  return {
    corpus,
    notes: notes.length,
    goldSpans: gold,
    lenientRecall: ratio(lenient, gold),
    strictRecall: ratio(strict, gold),
    precision: ratio(tp, detected),
    detected,
    truePositives: tp,
    falsePositives: fp,
    perGoldType: Object.fromEntries(
      Object.entries(perGold).map(([k, r]) => [
        k,
        { ...r, lenientRecall: ratio(r.lenient, r.gold), strictRecall: ratio(r.strict, r.gold) },
      ]),
    ),
    perDetectedType: Object.fromEntries(
      Object.entries(perDet).map(([k, r]) => [k, { ...r, precision: ratio(r.truePositives, r.detected) }]),
    ),
    phiFreeNotes: phiFree,
    phiFreeNotesFlagged: phiFreeFlagged,
    throughput: {
      notesPerSec: notes.length / (elapsed / 1000),
      kbPerSec: chars / 1024 / (elapsed / 1000),
      msPerNote: elapsed / notes.length,
    },
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

function printTable(r: EvalResult): void {
  const lines = [
    `corpus: ${r.corpus} (${r.notes} notes, ${r.goldSpans} gold spans, years alone excluded)`,
    `strict recall   ${pct(r.strictRecall)}`,
    `lenient recall  ${pct(r.lenientRecall)}`,
    `precision       ${pct(r.precision)}  (${r.truePositives} of ${r.detected} detections overlap gold; ${r.falsePositives} false positives)`,
    `PHI-free notes flagged: ${r.phiFreeNotesFlagged} of ${r.phiFreeNotes}`,
    `throughput: ${r.throughput.notesPerSec.toFixed(0)} notes/s, ${r.throughput.kbPerSec.toFixed(0)} KB/s, ${r.throughput.msPerNote.toFixed(3)} ms/note`,
    '',
    'gold type            spans  lenient   strict',
  ];
  for (const [k, v] of Object.entries(r.perGoldType).sort((a, b) => b[1].gold - a[1].gold)) {
    lines.push(
      `${k.padEnd(20)} ${String(v.gold).padStart(5)}  ${pct(v.lenientRecall).padStart(7)}  ${pct(v.strictRecall).padStart(7)}`,
    );
  }
  lines.push('', 'detected type     detections  precision');
  for (const [k, v] of Object.entries(r.perDetectedType).sort((a, b) => b[1].detected - a[1].detected)) {
    lines.push(`${k.padEnd(20)} ${String(v.detected).padStart(7)}  ${pct(v.precision).padStart(9)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  const corpus = findCorpus(opts.corpus);
  if (!corpus) {
    process.stdout.write(
      `PHI evaluation skipped: corpus not found (${opts.corpus ?? 'give --corpus FILE, set PHI_CORPUS, or place it at ../shared/corpus/physionet-deid-dev.jsonl'})\n`,
    );
    return;
  }
  const notes = readFileSync(corpus, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Note);
  const r = evaluate(notes, corpus, opts);
  if (opts.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else printTable(r);
  const failures: string[] = [];
  if (opts.minStrictRecall !== undefined && r.strictRecall < opts.minStrictRecall)
    failures.push(`strict recall ${pct(r.strictRecall)} < ${pct(opts.minStrictRecall)}`);
  if (opts.minPrecision !== undefined && r.precision < opts.minPrecision)
    failures.push(`precision ${pct(r.precision)} < ${pct(opts.minPrecision)}`);
  if (failures.length) {
    process.stderr.write(`PHI evaluation below the floor: ${failures.join('; ')}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
