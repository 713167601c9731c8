// Preloaded into Prisma CLI runs (see lib/db/migrate.ts): the wasm schema engine leaves long timers
// armed, which keeps `migrate deploy` alive ~10 s after it has finished. Long timers must not hold the process.
const LONG_MS = 5000;
const timers = require('node:timers');
const setTimeoutOriginal = global.setTimeout;
const setIntervalOriginal = global.setInterval;
function unrefLong(original) {
  return function (fn, ms, ...args) {
    const t = original(fn, ms, ...args);
    if (typeof ms === 'number' && ms >= LONG_MS) t?.unref?.();
    return t;
  };
}
global.setTimeout = timers.setTimeout = unrefLong(setTimeoutOriginal);
global.setInterval = timers.setInterval = unrefLong(setIntervalOriginal);
