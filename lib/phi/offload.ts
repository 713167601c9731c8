import { Piscina } from 'piscina';
import { detect } from './detect';
import { exportWordIndex } from './wordindex';
import type { PhiEntity } from './types';

/** Finds the entities of one text. */
export type EntityFinder = (text: string) => PhiEntity[];

/**
 * Detection for large requests on worker threads, so that one long prompt (a 500 KB chart takes about
 * 60 ms to scan) does not stall every other request and stream of this process. Small requests are
 * scanned inline: handing them to a thread would cost more than it saves.
 */
export class PhiOffload {
  readonly #pool: Piscina;

  constructor(
    /** Requests whose texts total at least this many characters are scanned on a worker thread. */
    readonly minChars: number,
    threads: number,
    /** Told of each scan that ran on a worker thread (for metrics). */
    private readonly onOffload: () => void = () => {},
    /** Told of a worker thread's failure outside a task. */
    onError: (err: Error) => void = () => {},
  ) {
    this.#pool = new Piscina({
      filename: new URL('./worker-boot.cjs', import.meta.url).href,
      // The word index this thread built, so that the workers do not load the word lists again.
      workerData: { wordIndex: exportWordIndex() },
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
    });
    // A worker that dies is replaced by piscina; its tasks fail (and their requests with them). Never the process.
    this.#pool.on('error', (err: Error) => onError(err));
  }

  /**
   * A finder for these texts: `detect` itself when they are small, else one that answers from a worker
   * thread's scan of all of them (falling back to `detect` for a text it was not given).
   */
  async finderFor(texts: string[]): Promise<EntityFinder> {
    let chars = 0;
    for (const t of texts) chars += t.length;
    if (chars < this.minChars) return detect;
    // A scan that takes this long has gone wrong (10 MB take about 1.5 s): the thread is stopped, the request refused.
    const found = (await this.#pool.run(texts, { signal: AbortSignal.timeout(30_000) })) as PhiEntity[][];
    this.onOffload();
    const byText = new Map<string, PhiEntity[]>();
    texts.forEach((t, i) => byText.set(t, found[i] ?? detect(t)));
    return (t) => byText.get(t) ?? detect(t);
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
