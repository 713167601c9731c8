// The PHI engine: detection, per-request tokenization and restoration. Pure: no I/O beyond
// loading its dictionaries from node_modules once, no logging of values.
export { PHI_TYPES, type PhiType, type PhiEntity, type PhiCounts } from './types';
export { detect, detectIdentifier, warmUpPhi } from './detect';
export { PhiSession, type TextStreamRestorer } from './session';
export {
  scrubRequestBody,
  engineFinder,
  appFinder,
  MEDIA_TYPES,
  TEXT_TYPES,
  type Finder,
  requestTexts,
  detectInRequestBody,
  restoreResponseBody,
  restoreJsonValue,
  createStreamRestorer,
  mediaParts,
  type MediaKind,
  type PhiOperation,
  type StreamRestorer,
} from './payloads';
