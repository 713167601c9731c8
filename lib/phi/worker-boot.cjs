// A PHI worker thread's entry point, as piscina loads it. CommonJS on purpose: piscina tries require()
// first, and require() of an ES module graph can abort Node 20 (v8::Module::IsGraphAsync). The engine is
// then loaded through import(), the ordinary ES module path.
'use strict';
const engine = import('./worker-entry.mjs').then((m) => m.default);
// A failure to load surfaces in the first task instead: the scan fails and the request is refused.
engine.catch(() => {});

module.exports = async function detectAll(task) {
  return (await engine)(task);
};
