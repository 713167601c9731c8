// Runs on a PHI worker thread (see offload.ts): finds the entities of many texts, off the event loop.
// Offsets and types only travel back; the texts are the request's own, in memory, and are not kept.
import { detect, warmUpPhi } from './detect';
import type { PhiEntity } from './types';

warmUpPhi();

export default function detectAll(texts: string[]): PhiEntity[][] {
  return texts.map((t) => detect(t));
}
