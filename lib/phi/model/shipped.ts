import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Weights } from './tagger';

// The trained tagger shipped with the code (scripts/phi-train.ts writes it): gzip of a 4-byte header length,
// a JSON header and one signed byte per weight.

const MAGIC = 'PTCT1';

export function parseWeights(gz: Buffer): Weights {
  const buf = gunzipSync(gz);
  const headerLength = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + headerLength).toString('utf8')) as {
    magic?: string;
    bits?: number;
    scale?: number;
    bias?: number[];
  };
  if (header.magic !== MAGIC || !header.bits || !header.scale || !header.bias)
    throw new Error('PHI model: not a tagger weights file');
  const body = buf.subarray(4 + headerLength);
  if (body.length !== (1 << header.bits) * 3) throw new Error('PHI model: weights of the wrong size');
  // A copy into its own buffer: the model outlives the inflated file.
  const w = new Int8Array(body.length);
  w.set(new Int8Array(body.buffer, body.byteOffset, body.length));
  return { bits: header.bits, w, scale: header.scale, bias: header.bias };
}

let shipped: Weights | undefined;

/** The shipped model, read once. Throws if it is missing or damaged: the engine must not run without it. */
export function shippedWeights(): Weights {
  shipped ??= parseWeights(readFileSync(new URL('./weights.bin', import.meta.url)));
  return shipped;
}

/** Installs weights read elsewhere (a worker thread gets the main thread's copy). */
export function installWeights(w: Weights): void {
  shipped = w;
}
