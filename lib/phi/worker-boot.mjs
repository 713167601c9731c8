// A PHI worker thread's entry point: Portico runs its TypeScript through tsx, which a worker thread
// does not inherit, so it is registered here before the engine is loaded.
import { register } from 'tsx/esm/api';

register();
const engine = await import('./worker.ts');

export default engine.default;
