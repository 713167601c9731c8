import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { log } from '../log';
import type { UsageRecord } from './recorder';

/**
 * A local journal of the usage records not yet in the database, so that a process killed outright (SIGKILL, an
 * out-of-memory kill) loses none: each record is appended to the current segment as it is queued (one write
 * to the page cache, no fsync: a process dying keeps it, only the machine dying does not), the segment is
 * sealed when a flush starts and deleted once everything queued before it is written. The next Portico started
 * on the same data folder replays the segments of processes that are gone; the writes are idempotent by request
 * id, so a segment whose batch had committed just before the kill adds nothing twice.
 *
 * Records hold counts and ids only (never content or PHI), like the usage_events table they go to.
 */
/** The journals this process has open (a restarted container's process can have its predecessor's pid). */
const OURS = new Set<string>();

export class UsageSpool {
  private fd: number | undefined;
  private seq = 0;
  private current = '';
  private readonly sealed: string[] = [];
  private broken = false;

  private readonly id = randomBytes(4).toString('hex');

  constructor(readonly dir: string) {
    OURS.add(this.id);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      this.broken = true;
      log().error({ err: (err as Error).message }, 'usage journal folder unusable: continuing without it');
    }
  }

  private open() {
    this.current = path.join(this.dir, `${process.pid}-${this.id}-${this.seq++}.jsonl`);
    this.fd = openSync(this.current, 'a', 0o600);
  }

  /** Lines appended in this turn of the event loop, written together at its end. */
  private pending = '';
  private scheduled = false;
  /** What waits for the pending lines to be written (answers' ends: see whenWritten). */
  private waiting: (() => void)[] = [];

  /**
   * Queues a record for the journal: the records of one event-loop turn go in one write at its end (a busy server
   * meters many requests a turn), or at once with `write`.
   */
  append(r: UsageRecord): void {
    if (this.broken) return;
    this.pending += `${JSON.stringify(r)}\n`;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.write());
    }
  }

  /**
   * Runs `then` once the records queued so far are in the journal: at the end of this turn, with the turn's other
   * records in one write (the proxy holds an answer's last bytes until then, so that a kill after the client has
   * its answer cannot lose the record). At once when nothing is queued or there is no journal.
   */
  whenWritten(then: () => void): void {
    if (this.broken || !this.pending) return then();
    this.waiting.push(then);
  }

  /** Writes what is queued now (also called at the end of each turn that queued something). */
  write(): void {
    this.scheduled = false;
    if (!this.broken && this.pending) {
      const lines = this.pending;
      this.pending = '';
      try {
        if (this.fd === undefined) this.open();
        writeSync(this.fd!, lines);
      } catch (err) {
        // A full or read-only disk must not fail requests: records still go to the database, without the journal.
        this.broken = true;
        log().error({ err: (err as Error).message }, 'usage journal unwritable: continuing without it');
      }
    }
    const waiting = this.waiting;
    if (waiting.length === 0) return;
    this.waiting = [];
    for (const then of waiting) {
      try {
        then();
      } catch (err) {
        log().error({ err: (err as Error).message }, 'usage journal: an answer could not be ended');
      }
    }
  }

  /** Closes the current segment: what it holds is queued, and goes to the database with this flush. */
  seal(): void {
    this.write();
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    this.sealed.push(this.current);
  }

  /** Everything queued before the sealed segments is in the database: they can go. */
  release(): void {
    for (const f of this.sealed.splice(0)) rmSync(f, { force: true });
  }

  /** The records that processes gone before they flushed left behind; their segments are removed once read. */
  static orphans(dir: string): { records: UsageRecord[]; files: string[] } {
    if (!existsSync(dir)) return { records: [], files: [] };
    const records: UsageRecord[] = [];
    const files: string[] = [];
    for (const name of readdirSync(dir)) {
      const [, pidText, id] = /^(\d+)-([0-9a-f]+)-/.exec(name) ?? [];
      const pid = Number(pidText);
      if (!name.endsWith('.jsonl') || !pid) continue;
      // Another live process's, or one of this process's own: not orphans. The same pid with an id this process
      // never used is a predecessor that had it (a restarted container).
      if (pid === process.pid ? OURS.has(id!) : alive(pid)) continue;
      const file = path.join(dir, name);
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line) continue;
        try {
          const r = JSON.parse(line) as UsageRecord & { createdAt: string };
          records.push({ ...r, createdAt: new Date(r.createdAt) });
        } catch {
          // A line cut by the kill: the rest of the segment is still good.
        }
      }
      files.push(file);
    }
    return { records, files };
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
