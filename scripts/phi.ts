// PHI engine on JSON lines: `npm run -s phi -- detect` or `npm run -s phi -- scrub`.
// Reads {"text": …} per line on stdin; writes one JSON line per input, in order.
import { createInterface } from 'node:readline';
import { detect, PhiSession, warmUpPhi } from '../lib/phi';

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode !== 'detect' && mode !== 'scrub') {
    process.stderr.write('usage: npm run -s phi -- detect|scrub < lines.jsonl   (each line {"text": "…"})\n');
    process.exitCode = 2;
    return;
  }
  warmUpPhi();
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (!line.trim()) continue;
    let text: unknown;
    try {
      text = (JSON.parse(line) as { text?: unknown }).text;
    } catch {
      throw new Error(`line ${lineNo}: not JSON`);
    }
    if (typeof text !== 'string') throw new Error(`line ${lineNo}: no "text" string`);
    const out =
      mode === 'detect'
        ? { entities: detect(text).map(({ start, end, type }) => ({ start, end, type })) }
        : { text: new PhiSession().scrub(text) };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
