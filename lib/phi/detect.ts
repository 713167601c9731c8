import { detectDates } from './detectors/dates';
import { wordGates } from './detectors/gates';
import { detectNamesAndPlaces, tokenizeText } from './detectors/names';
import { detectPatterns } from './detectors/patterns';
import type { Candidate, PhiEntity } from './types';

/** Overlapping findings become one entity typed by the most specific finding. */
function merge(candidates: Candidate[]): PhiEntity[] {
  candidates.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: PhiEntity[] = [];
  let cur: Candidate | undefined;
  for (const c of candidates) {
    if (cur && c.start < cur.end) {
      if (c.end > cur.end) cur.end = c.end;
      if (c.priority > cur.priority) {
        cur.type = c.type;
        cur.priority = c.priority;
      }
      continue;
    }
    if (cur) out.push({ start: cur.start, end: cur.end, type: cur.type });
    cur = { ...c };
  }
  if (cur) out.push({ start: cur.start, end: cur.end, type: cur.type });
  return out;
}

/**
 * Finds the Safe Harbor identifiers in `text`: sorted, non-overlapping, UTF-16 offsets, end exclusive.
 * Throws if a dictionary cannot be loaded: callers must fail the request rather than send PHI.
 */
export function detect(text: string): PhiEntity[] {
  if (text.length === 0) return [];
  const candidates: Candidate[] = [];
  const tokens = tokenizeText(text);
  const gates = wordGates(text, tokens);
  detectPatterns(text, gates, candidates);
  detectDates(text, gates, candidates);
  detectNamesAndPlaces(text, tokens, candidates);
  return merge(candidates);
}

/** Loads the dictionaries and builds the word index now (about a second), not on the first request. */
export function warmUpPhi(): void {
  detect('Warm-up: Dr. Foley saw Mr. Nicholson on 7/22 at 410-555-0100.');
}
