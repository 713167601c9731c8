// The PHI engine: detection, per-request tokenization and restoration. Pure: no I/O beyond
// loading its dictionaries from node_modules once, no logging of values.
export { PHI_TYPES, type PhiType, type PhiEntity, type PhiCounts } from './types';
export { detect } from './detect';
export { PhiSession, type TextStreamRestorer } from './session';
export { loadDictionaries as warmUpPhi } from './dictionaries';
export {
  scrubRequestBody,
  detectInRequestBody,
  restoreResponseBody,
  createStreamRestorer,
  type PhiOperation,
  type StreamRestorer,
} from './payloads';
