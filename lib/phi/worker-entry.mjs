// Portico runs its TypeScript through tsx, which a worker thread does not inherit: register it here,
// then load the engine.
import { register } from 'tsx/esm/api';

register();
const { default: detectAll } = await import('./worker.ts');

export default detectAll;
