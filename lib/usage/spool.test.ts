import { readFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageSpool } from './spool';

const record = (requestId: string) => ({
  requestId,
  createdAt: new Date('2026-12-05T08:00:00Z'),
  appId: 'a',
  keyId: null,
  model: 'm',
  operation: 'chat',
  route: '/v1/chat/completions',
  status: 200,
  streamed: false,
  promptTokens: 1,
  completionTokens: 2,
  costUsd: 0,
  latencyMs: 3,
  upstreamLatencyMs: null,
  errorCode: null,
  phiCounts: null,
});

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('usage journal', () => {
  it('the records of one event-loop turn are on disk together once the turn ends', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'spool-'));
    const s = new UsageSpool(dir);
    for (const id of ['a', 'b', 'c']) s.append(record(id));
    expect(readdirSync(dir)).toHaveLength(0);
    await new Promise((r) => setImmediate(r));
    const [file] = readdirSync(dir);
    const lines = readFileSync(path.join(dir, file!), 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { requestId: string }).requestId)).toEqual(['a', 'b', 'c']);
  });

  it("what waits for the journal (an answer's end) runs once the turn's records are on disk, not before", async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'spool-'));
    const s = new UsageSpool(dir);
    const onDisk = () =>
      readdirSync(dir).flatMap((f) =>
        readFileSync(path.join(dir, f), 'utf8').trim().split('\n').filter(Boolean),
      );
    const seen: number[] = [];
    s.append(record('a'));
    s.whenWritten(() => seen.push(onDisk().length));
    s.append(record('b'));
    s.whenWritten(() => {
      throw new Error('an answer whose socket is gone');
    });
    s.whenWritten(() => seen.push(onDisk().length));
    expect(seen).toEqual([]);
    await new Promise((r) => setImmediate(r));
    // Both ended after both records were written (one write for the turn), the failing one in between stopping none.
    expect(seen).toEqual([2, 2]);
    // Nothing queued: at once.
    s.whenWritten(() => seen.push(-1));
    expect(seen).toEqual([2, 2, -1]);
  });

  it('a live journal of this process is not an orphan; a predecessor with the same pid (a restarted container) is', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'spool-'));
    const mine = new UsageSpool(dir);
    mine.append(record('live'));
    writeFileSync(
      path.join(dir, `${process.pid}-deadbeef-0.jsonl`),
      `${JSON.stringify(record('before'))}\n{"cut`,
    );
    const { records, files } = UsageSpool.orphans(dir);
    expect(records.map((r) => r.requestId)).toEqual(['before']);
    expect(records[0]!.createdAt).toEqual(new Date('2026-12-05T08:00:00Z'));
    expect(files).toHaveLength(1);
  });

  it('segments go once what they hold is written', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'spool-'));
    const s = new UsageSpool(dir);
    s.append(record('one'));
    s.seal();
    s.append(record('two'));
    await new Promise((r) => setImmediate(r));
    expect(readdirSync(dir)).toHaveLength(2);
    s.release();
    expect(readdirSync(dir)).toHaveLength(1);
  });
});
