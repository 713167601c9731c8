// Splits a V8 CPU profile of Portico under load into the stages of a request, so that `npm run bench` can print the
// main thread's CPU per request by stage. A sample goes to the stage of the nearest frame of Portico's own code
// above it (a JSON.parse called by the body reader is the body's; undici's socket callbacks are the upstream's).

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export const STAGES = [
  'auth and limits',
  'body and validation',
  'PHI detect',
  'PHI walk and restore',
  'upstream call and answer',
  'metering',
  'request path and HTTP',
  'garbage collection',
] as const;
export type Stage = (typeof STAGES)[number];

const RULES: readonly [RegExp, Stage][] = [
  [
    /lib\/phi\/(?:detect|detectors\/|model\/|wordindex|wordtable|dictionaries|lexicon|records|clinical-terms|offload|worker)/,
    'PHI detect',
  ],
  [/lib\/phi\/(?:payloads|session|tokens)|lib\/proxy\/phi-step/, 'PHI walk and restore'],
  [/lib\/proxy\/(?:auth|guard)|lib\/keys\/|lib\/limits\//, 'auth and limits'],
  [/lib\/proxy\/(?:http|validate)|lib\/json/, 'body and validation'],
  [
    /lib\/proxy\/(?:providers\/|router|model-call|sse|usage-events|upstream-errors)|node_modules\/undici\//,
    'upstream call and answer',
  ],
  [/lib\/usage\/|lib\/metrics|lib\/tracing|node_modules\/prom-client\/|lib\/token-maps\//, 'metering'],
  [
    /lib\/proxy\/|server\.ts|scripts\/lib\/proxy-main|node:_http|node:http|node:net|node:internal\/(?:http|streams|stream_base)/,
    'request path and HTTP',
  ],
];

/** Writing the answer is HTTP, though its functions live beside the body reader. */
const ANSWER_WRITERS = new Set(['sendJson', 'sendRaw', 'sendError', 'pipeBody']);

function stageOf(url: string, functionName = ''): Stage | undefined {
  if (/lib\/proxy\/http/.test(url) && ANSWER_WRITERS.has(functionName)) return 'request path and HTTP';
  for (const [re, stage] of RULES) if (re.test(url)) return stage;
  return undefined;
}

/** Microseconds of samples per stage (idle and the profiler's own time left out). */
export function stageTimes(p: CpuProfile): Record<Stage, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, Stage | null>();
  const classify = (id: number): Stage | null => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id);
    let stage: Stage | null = null;
    if (n) {
      if (n.callFrame.functionName === '(garbage collector)') stage = 'garbage collection';
      else {
        const own = stageOf(n.callFrame.url, n.callFrame.functionName);
        // Portico's own frames decide; a frame of Node or a library takes its caller's stage.
        if (own && (/\/lib\/|server\.ts|scripts\//.test(n.callFrame.url) || !parent.has(id))) stage = own;
        else {
          const up = parent.get(id);
          stage = up !== undefined ? classify(up) : null;
          stage ??= own ?? null;
        }
      }
    }
    memo.set(id, stage);
    return stage;
  };
  const out = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  p.samples.forEach((id, i) => {
    const n = byId.get(id);
    const name = n?.callFrame.functionName;
    if (name === '(idle)' || name === '(program)') return;
    const stage = classify(id) ?? 'request path and HTTP';
    out[stage] += p.timeDeltas[i] ?? 0;
  });
  return out;
}

/** Each stage's share of `totalUs` (the main thread's CPU per request measured without the profiler). */
export function perRequest(times: Record<Stage, number>, totalUs: number): Record<Stage, number> {
  const sum = Object.values(times).reduce((a, b) => a + b, 0) || 1;
  return Object.fromEntries(STAGES.map((s) => [s, Math.round((times[s] / sum) * totalUs)])) as Record<
    Stage,
    number
  >;
}
