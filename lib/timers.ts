/**
 * Runs a background task every `everyMs`, the first time after `firstAfterMs`; a run still going when the next is
 * due is not started twice. The timers never hold the process open. Returns the function that stops it. The task
 * reports its own failures (a rejection here is dropped).
 */
export function every(task: () => Promise<unknown>, everyMs: number, firstAfterMs = 60_000): () => void {
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    void task()
      .catch(() => {})
      .finally(() => {
        running = false;
      });
  };
  const first = setTimeout(run, firstAfterMs);
  const timer = setInterval(run, everyMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
