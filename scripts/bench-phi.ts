// Micro-benchmark of the PHI engine: `npx tsx scripts/bench-phi.ts` prints a table.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { detect, PhiSession, warmUpPhi } from '../lib/phi';

export interface BenchRow {
  name: string;
  p50Ms: number;
  p99Ms: number;
  opsPerSec: number;
  /** Mean CPU time per operation: unlike wall time, it holds when other processes share the cores. */
  cpuMs: number;
  /** 99th percentile of the CPU time of one operation (this process's, all threads): time spent waiting for
   * a core that other processes hold is not in it, the collector's work is. */
  cpuP99Ms: number;
}

// A hand-written clinical prompt of about 2 KB with the usual identifiers in it.
const PROMPT = [
  'You are assisting the ICU team. Summarize the overnight course and suggest a plan.',
  'Patient John Doe, 67 year old male, MRN: 00482913, admitted 7/22 from St. Agnes Hospital after a fall at home.',
  'PMH: CAD s/p CABG x3 in 2009, HTN, DM2, CKD stage 3, AFib on apixaban 5 mg BID. Allergies: penicillin (rash).',
  'Overnight: HR 88-104 AF, BP 102/58 to 134/71, MAP > 65 without pressors. Tmax 38.2 C at 0300.',
  'Resp: on 2L NC, sats 93-96%, crackles at bases bilaterally; CXR with small bilateral effusions.',
  'Neuro: A&Ox3, MAE, PERRL, no focal deficits. Pain 3/10 with acetaminophen 650 mg q6h.',
  'GU: Foley draining clear yellow urine, 30-50 mL/hr. Creatinine 1.9 (baseline 1.4). K 3.6, Mg 1.8.',
  'GI: tolerating cardiac diet, last BM Nov 3rd. Heme: Hgb 9.1 stable, plt 188. INR 1.3.',
  'ID: blood cultures from 7/21 no growth to date; UA negative. Started ceftriaxone 1 g daily for possible pneumonia.',
  'Social: lives with wife Mary in Baltimore; daughter Maria Gonzalez (health care proxy) can be reached at 410-555-0133',
  'or maria.gonzalez@example.com. Seen by Dr. Foley (cardiology) and Dr. Patel (nephrology) this morning.',
  'Dr. Foley recommends holding apixaban before a possible TEE on Friday; nephrology suggests gentle diuresis',
  'with furosemide 20 mg IV once and repeat BMP in the afternoon. PT/OT evaluation pending for discharge to rehab.',
  'Questions: 1) Is it reasonable to hold anticoagulation for 48 hours given a CHA2DS2-VASc of 5?',
  '2) Should we switch ceftriaxone to something broader if the fever persists? 3) What is a safe diuresis target',
  'given the creatinine trend? 4) Any concerns with restarting metoprolol tartrate 25 mg BID once BP allows?',
  'Please answer concisely, with the reasoning for each recommendation and the monitoring you would order.',
  'Also draft a short message to the daughter explaining the plan in plain language, and a note to Dr. Patel',
  'about the timing of the repeat BMP. Pager for the night resident is 45123 if anything changes before 7/23.',
  'Keep the tone warm but factual; avoid abbreviations like MAE or PERRL in the family message.',
].join('\n');

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? 0;
}

function measure(name: string, iterations: number, fn: () => void): BenchRow {
  for (let i = 0; i < Math.min(1000, iterations); i++) fn();
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
  }
  const total = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  return {
    name,
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    opsPerSec: iterations / (total / 1000),
    cpuMs: (cpu.user + cpu.system) / 1000 / iterations,
    cpuP99Ms: percentile(cpuTimes, 99),
  };
}

/** Heap in use after a full collection, in MB (the collector exposed for this measurement only). */
export function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1048576;
}

export async function benchPhi(): Promise<BenchRow[]> {
  warmUpPhi();
  const answerOf = (s: PhiSession): string => s.scrub(PROMPT).replace('Summarize', 'Summary for');
  const rows: BenchRow[] = [];
  rows.push(measure(`detect (${PROMPT.length} chars)`, 2000, () => void detect(PROMPT)));
  rows.push(
    measure(`scrub + restore (${PROMPT.length} chars)`, 2000, () => {
      const s = new PhiSession();
      const scrubbed = s.scrub(PROMPT);
      s.restore(scrubbed);
    }),
  );
  const s = new PhiSession();
  const answer = answerOf(s);
  rows.push(
    measure('stream restore (16-char chunks)', 2000, () => {
      const r = s.streamRestorer();
      for (let i = 0; i < answer.length; i += 16) r.push(answer.slice(i, i + 16));
      r.flush();
    }),
  );
  return rows;
}

async function main(): Promise<void> {
  const before = heapAfterGc();
  const t0 = performance.now();
  warmUpPhi();
  const warmMs = performance.now() - t0;
  const heap = heapAfterGc();
  process.stdout.write(
    `warm-up ${warmMs.toFixed(0)} ms; heap after warm-up ${heap.toFixed(1)} MB (${(heap - before).toFixed(1)} MB for the engine)\n`,
  );
  const rows = await benchPhi();
  const lines = ['benchmark                              p50 ms    p99 ms     ops/s   cpu ms/op  cpu p99 ms'];
  for (const r of rows) {
    lines.push(
      `${r.name.padEnd(36)} ${r.p50Ms.toFixed(3).padStart(8)}  ${r.p99Ms.toFixed(3).padStart(8)}  ${r.opsPerSec.toFixed(0).padStart(8)}  ${r.cpuMs.toFixed(3).padStart(10)}  ${r.cpuP99Ms.toFixed(3).padStart(10)}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main();

/** Texts of about `size` characters built to stress the scan: shapes, not vocabulary. */
export function adversarialTexts(size = 300_000): Record<string, string> {
  const fill = (unit: (i: number) => string) => {
    let s = '';
    for (let i = 0; s.length < size; i++) s += unit(i);
    return s;
  };
  const dump = (value: (i: number) => unknown) => {
    const obj: Record<string, unknown> = {};
    // Pretty-printed, each entry takes its JSON plus about 6 characters of indentation and punctuation.
    for (let i = 0, n = 0; n < size; i++) {
      obj[`k${i}`] = value(i);
      n += JSON.stringify(obj[`k${i}`]).length + String(i).length + 9;
    }
    return `Note: ${JSON.stringify(obj, null, 2)}`;
  };
  const names = ['Gonzalez', 'Whitfield', 'Okafor', 'Lindqvist', 'Brandt', 'Nakamura'];
  return {
    'clinical prompt, repeated': fill(() => `${PROMPT}\n`),
    'JSON dump of numbers after a word': dump((i) => i),
    'JSON dump of names': dump((i) => `${names[i % 6]} ${names[(i + 1) % 6]}`),
    'capitalised words, no punctuation': fill((i) => `${names[i % 6]} Ward Street Hospital `),
    'titles and names': fill((i) => `Dr. ${names[i % 6]} and Mr. ${names[(i + 3) % 6]}, `),
    'snake_case identifiers': fill((i) => `patient_${names[i % 6]!.toLowerCase()}_${i} `),
    'camelCase identifiers': fill((i) => `lookup${names[i % 6]}Record${i} `),
    'digits and separators': fill((i) => `${i}-${i % 97}/${i % 13} (${i % 1000}) `),
    'addresses, one a line': fill(
      (i) => `${100 + (i % 900)} ${names[i % 6]} Street, Springfield, IL 6270${i % 10}\n`,
    ),
    'one line without spaces': fill((i) => `x${i % 10}`),
    // Records as a tool returns them: a table whose header types its cells, and JSON objects with field names.
    'CSV table with a header': `last_name,first_name,dob,phone\n${fill(
      (i) =>
        `${names[i % 6]},${names[(i + 2) % 6]},0${1 + (i % 9)}/1${i % 10}/19${50 + (i % 50)},410-555-0${100 + (i % 899)}\n`,
    )}`,
    'JSON records': fill(
      (i) =>
        `{"first_name": "${names[(i + 3) % 6]}", "last_name": "${names[i % 6]}", "dob": "19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}", "mrn": "${100000 + i}"},\n`,
    ),
    'dates and times': fill(
      (i) => `on ${1 + (i % 12)}/${1 + (i % 28)}/19${50 + (i % 50)} at ${i % 24}:${i % 60} `,
    ),
  };
}

/** Milliseconds per KB of the scan on each adversarial text, and the worst against the clinical prompt's. */
export function scanRates(size = 300_000): { name: string; msPerKb: number }[] {
  warmUpPhi();
  return Object.entries(adversarialTexts(size)).map(([name, text]) => {
    detect(text.slice(0, 20_000));
    const t0 = performance.now();
    detect(text);
    return { name, msPerKb: (performance.now() - t0) / (text.length / 1024) };
  });
}
