// Runs on a PHI worker thread (see offload.ts): finds the entities of many texts, off the event loop.
// Offsets and types only travel back; the texts are the request's own, in memory, and are not kept.
import { workerData } from 'node:worker_threads';
import { detect, detectIdentifier, warmUpPhi } from './detect';
import type { ScanResult, ScanTask } from './offload';
import { importWordIndex, type PackedWordIndex } from './wordindex';
import type { PhiEntity } from './types';

// The main thread's word index, copied in: loading the word lists again here would take a second and
// leave a few hundred MB of resident memory behind.
const packed = (workerData as { wordIndex?: PackedWordIndex } | null)?.wordIndex;
if (packed) importWordIndex(packed);
warmUpPhi();

export default function detectAll(task: ScanTask): ScanResult {
  return {
    texts: task.texts.map((t): PhiEntity[] => detect(t)),
    identifiers: task.identifiers.map((t): PhiEntity[] => detectIdentifier(t)),
  };
}
