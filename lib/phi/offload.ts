import { Piscina } from 'piscina';
import { detect } from './detect';
import { appFinder, engineFinder, type Finder } from './payloads';
import { detectRemembered, recall, remember } from './remembered';
import { firstEndingAfter } from './sorted';
import { exportWordIndex } from './wordindex';
import type { PhiEntity } from './types';

/** Finds the entities of one text. */
export type EntityFinder = (text: string) => PhiEntity[];

/** What one request asks the engine to look at: its texts, and the values written as one identifier. */
export interface ScanWork {
  texts: string[];
  identifiers: string[];
}

/** One task for a worker thread: a slice of a request's work (a window of a long text, or several short ones). */
export interface ScanTask {
  texts: string[];
  identifiers: string[];
}

/** A task's answer: the entities of each text and identifier, in order. */
export interface ScanResult {
  texts: PhiEntity[][];
  identifiers: PhiEntity[][];
}

/** Refused before any scan: more text than Portico scans in one request (413). */
export class ScanTooLarge extends Error {
  constructor(
    readonly chars: number,
    readonly limit: number,
  ) {
    super(`${chars} characters of text to scan; the limit is ${limit}`);
  }
}

/** The most text one task holds: the longest another app's scan waits for a thread once it is next. */
export const TASK_CHARS = 128 * 1024;
/** Windows of a long text overlap by this much, so that an identifier across a cut is whole in one of them. */
const OVERLAP = 1024;

/**
 * Cuts a long text into windows of about TASK_CHARS that overlap by OVERLAP, each cut at a line or a space. Each
 * window owns the part of the text from its start to the next window's start (`own`).
 */
export function windows(
  text: string,
  size = TASK_CHARS,
  overlap = OVERLAP,
): { start: number; end: number }[] {
  if (text.length <= size) return [{ start: 0, end: text.length }];
  const out: { start: number; end: number }[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    if (end < text.length) {
      const nl = text.lastIndexOf('\n', end);
      const sp = text.lastIndexOf(' ', end);
      const cut = nl > start + size / 2 ? nl : sp > start + size / 2 ? sp : end;
      end = cut;
    }
    out.push({ start, end: Math.min(text.length, end + overlap) });
    if (end >= text.length) break;
    start = end;
  }
  return out;
}

/**
 * The entities of a long text from its windows' entities: each window's findings that start in its own part, then
 * every other whole-word occurrence of a name or place found somewhere (as the engine does within one text).
 */
export function joinWindows(
  text: string,
  parts: { start: number; end: number }[],
  found: PhiEntity[][],
): PhiEntity[] {
  const out: PhiEntity[] = [];
  let covered = 0;
  parts.forEach((w, k) => {
    const ownEnd = parts[k + 1]?.start ?? text.length;
    for (const e of found[k] ?? []) {
      const s = e.start + w.start;
      if (s < covered || s >= ownEnd) continue;
      out.push({ start: s, end: e.end + w.start, type: e.type });
      covered = e.end + w.start;
    }
  });
  const named = new Map<string, PhiEntity['type']>();
  for (const e of out)
    if (e.type === 'NAME' || e.type === 'LOCATION') named.set(text.slice(e.start, e.end), e.type);
  if (named.size === 0) return out;
  // Each value by its first word: one pass over the text's words finds every occurrence of every value (a search
  // of the whole text per value grew with the number of names times the text's length).
  const byFirstWord = new Map<string, [string, PhiEntity['type']][]>();
  const others: [string, PhiEntity['type']][] = [];
  for (const [value, type] of named) {
    const first = FIRST_WORD.exec(value)?.[0];
    if (!first) {
      others.push([value, type]);
      continue;
    }
    let list = byFirstWord.get(first);
    if (!list) byFirstWord.set(first, (list = []));
    list.push([value, type]);
  }
  const extra: PhiEntity[] = [];
  const take = (at: number, value: string, type: PhiEntity['type']) => {
    const end = at + value.length;
    if (WORD_CHAR.test(text[at - 1] ?? '') || WORD_CHAR.test(text[end] ?? '')) return;
    if (!overlaps(out, at, end)) extra.push({ start: at, end, type });
  };
  for (const w of text.matchAll(WORD)) {
    const list = byFirstWord.get(w[0]);
    if (list)
      for (const [value, type] of list) if (text.startsWith(value, w.index)) take(w.index, value, type);
  }
  for (const [value, type] of others)
    for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + value.length))
      take(at, value, type);
  return [...out, ...extra].sort((a, b) => a.start - b.start || b.end - a.end);
}

const WORD = /[\p{L}\p{N}]+/gu;
const FIRST_WORD = /^[\p{L}\p{N}]+/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;

/** Whether an entity of `sorted` (sorted, disjoint) overlaps [start, end): a binary search for the first to end after `start`. */
function overlaps(sorted: readonly PhiEntity[], start: number, end: number): boolean {
  const i = firstEndingAfter(sorted, start);
  return i < sorted.length && sorted[i]!.start < end;
}

interface Queued {
  task: ScanTask;
  resolve(r: ScanResult): void;
  reject(e: unknown): void;
}

/**
 * Detection for large requests on worker threads, so that one long prompt does not stall every other request of
 * this process. Small requests are scanned inline: handing them to a thread would cost more than it saves.
 *
 * Fair across apps: each request's work is cut into tasks of at most TASK_CHARS, queued per app, and the threads
 * take the apps' queues in turn, an app that had nothing queued first. A scan of an app that was idle therefore
 * waits at most for the tasks already running (one per thread), however much text other apps sent.
 */
export class PhiOffload {
  readonly #pool: Piscina | undefined;
  readonly #threads: number;
  #queues = new Map<string, Queued[]>();
  #running = 0;

  constructor(
    /** Requests whose texts total at least this many characters are scanned on a worker thread. */
    readonly minChars: number,
    threads: number,
    /** Told of each scan that ran on a worker thread (for metrics). */
    private readonly onOffload: () => void = () => {},
    /** Told of a worker thread's failure outside a task. */
    onError: (err: Error) => void = () => {},
    /** The most characters of text one request may ask to scan (413 past it). */
    readonly maxChars = Number.POSITIVE_INFINITY,
    /** Told of each task a thread finished, with its app (the order apps are served in). */
    private readonly onTask: (app: string) => void = () => {},
  ) {
    this.#threads = threads;
    // No threads: every scan runs inline (the size bound still holds).
    if (threads <= 0) return;
    this.#pool = new Piscina({
      filename: new URL('./worker-boot.cjs', import.meta.url).href,
      // The word index this thread built, so that the workers do not load the word lists again.
      workerData: { wordIndex: exportWordIndex() },
      minThreads: this.#threads,
      maxThreads: this.#threads,
      idleTimeout: Number.POSITIVE_INFINITY,
    });
    // A worker that dies is replaced by piscina; its tasks fail (and their requests with them). Never the process.
    this.#pool.on('error', (err: Error) => onError(err));
  }

  /** Worker threads scanning large requests (0: none, every scan inline). */
  get threads(): number {
    return this.#threads;
  }

  /**
   * A finder for this work of app `app`: the engine itself when it is small, else one that answers from the worker
   * threads' scan of all of it (falling back to the engine for a text it was not given).
   */
  async finderFor(work: ScanWork, app = '', maxChars = this.maxChars): Promise<Finder> {
    let chars = 0;
    for (const t of work.texts) chars += t.length;
    for (const t of work.identifiers) chars += t.length;
    if (chars > maxChars) throw new ScanTooLarge(chars, maxChars);
    if (chars < this.minChars || !this.#pool) return appFinder(app);
    const byText = new Map<string, PhiEntity[]>();
    // Texts this app sent before (a chat's history) are not scanned again.
    const fresh: string[] = [];
    for (const t of new Set(work.texts)) {
      const known = recall(app, t);
      if (known) byText.set(t, known);
      else fresh.push(t);
    }
    const byIdentifier = new Map<string, PhiEntity[]>();
    // Long texts in windows, short ones and identifiers packed into tasks of about TASK_CHARS.
    const tasks: ScanTask[] = [];
    const windowed: { text: string; parts: { start: number; end: number }[]; first: number }[] = [];
    let cur: ScanTask = { texts: [], identifiers: [] };
    let size = 0;
    const push = () => {
      if (cur.texts.length + cur.identifiers.length > 0) tasks.push(cur);
      cur = { texts: [], identifiers: [] };
      size = 0;
    };
    for (const t of fresh) {
      if (t.length > TASK_CHARS) {
        const parts = windows(t);
        windowed.push({ text: t, parts, first: tasks.length });
        for (const p of parts) tasks.push({ texts: [t.slice(p.start, p.end)], identifiers: [] });
        continue;
      }
      if (size + t.length > TASK_CHARS) push();
      cur.texts.push(t);
      size += t.length;
    }
    for (const t of new Set(work.identifiers)) {
      if (size + t.length > TASK_CHARS) push();
      cur.identifiers.push(t);
      size += t.length;
    }
    push();
    const results = await Promise.all(tasks.map((task) => this.#enqueue(app, task)));
    if (tasks.length > 0) this.onOffload();
    const windowTasks = new Set<number>();
    for (const w of windowed) {
      const found = w.parts.map((_, k) => results[w.first + k]?.texts[0] ?? []);
      w.parts.forEach((_, k) => windowTasks.add(w.first + k));
      byText.set(w.text, joinWindows(w.text, w.parts, found));
      remember(app, w.text, byText.get(w.text)!);
    }
    tasks.forEach((task, i) => {
      if (windowTasks.has(i)) return;
      const r = results[i];
      task.texts.forEach((t, k) => {
        const found = r?.texts[k] ?? detect(t);
        byText.set(t, found);
        remember(app, t, found);
      });
      task.identifiers.forEach((t, k) =>
        byIdentifier.set(t, r?.identifiers[k] ?? engineFinder.identifier(t)),
      );
    });
    return {
      text: (t) => byText.get(t) ?? detectRemembered(app, t),
      identifier: (t) => byIdentifier.get(t) ?? engineFinder.identifier(t),
    };
  }

  #enqueue(app: string, task: ScanTask): Promise<ScanResult> {
    return new Promise((resolve, reject) => {
      let q = this.#queues.get(app);
      // An app with nothing queued goes first: it waits only for the tasks already running.
      if (!q) this.#queues = new Map([[app, (q = [])], ...this.#queues]);
      q.push({ task, resolve, reject });
      this.#dispatch();
    });
  }

  /** Starts queued tasks while a thread is free, one app after the other (a Map iterates in insertion order). */
  #dispatch(): void {
    while (this.#running < this.#threads && this.#queues.size > 0) {
      const [app, q] = this.#queues.entries().next().value as [string, Queued[]];
      const served = app;
      const next = q.shift()!;
      // The app goes to the back of the line: the next free thread serves another app first.
      this.#queues.delete(app);
      if (q.length > 0) this.#queues.set(app, q);
      this.#running++;
      // A task that takes this long has gone wrong (a task is at most TASK_CHARS): the request is refused.
      (this.#pool!.run(next.task, { signal: AbortSignal.timeout(30_000) }) as Promise<ScanResult>)
        .then(next.resolve, next.reject)
        .finally(() => {
          this.onTask(served);
          this.#running--;
          this.#dispatch();
        });
    }
  }

  async close(): Promise<void> {
    await this.#pool?.destroy();
  }
}
