// Portico's server without the portal, in its own process (benchmarks, soak, multi-instance tests).
// Env: DATABASE_URL, PORTICO_CONFIG, PORT, PORTICO_WORKERS (processes sharing the port); prints "ready <port>".
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import cluster from 'node:cluster';
import { announceReady, isClusterWorker, startPrimary, workerCount, workersReady } from '../../lib/cluster';
import { startServer } from '../../server';

const workers = workerCount(process.env.PORTICO_WORKERS ?? '1');
if (cluster.isPrimary && workers > 1) await primary();
else await serve();

/** Several worker processes on one port (PORTICO_WORKERS): this one forks them and holds what they share. */
async function primary(): Promise<void> {
  const { monthToDateFromDb } = await import('../../lib/limits');
  const ready = workersReady(workers);
  const p = startPrimary({
    workers,
    monthToDate: monthToDateFromDb,
    say: (m) => process.stderr.write(`${m}\n`),
  });
  process.stdout.write(`ready ${await ready} pid ${process.pid}\n`);
  const stop = () => void p.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function serve(): Promise<void> {
  // PORTICO_CPU_PROFILE=<file>: write a V8 CPU profile of the run (for `npm run bench` investigations). With
  // PORTICO_CPU_PROFILE_ON_SIGNAL=1 it starts on SIGUSR2 instead (the load window only, not start-up).
  const profileFile = process.env.PORTICO_CPU_PROFILE;
  const profiler = profileFile ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    if (process.env.PORTICO_CPU_PROFILE_ON_SIGNAL === '1')
      process.once('SIGUSR2', () => void profiler.post('Profiler.start'));
    else await profiler.post('Profiler.start');
  }

  // PORTICO_BENCH_NO_METERING=1 drops usage records, to measure metering's cost in `npm run bench`. Only this
  // benchmark entry point honours it: the product itself always meters (budgets depend on it).
  const server = await startServer({
    port: Number(process.env.PORT ?? 0),
    host: '127.0.0.1',
    portal: process.env.PORTICO_PORTAL === '1',
    usage: { disabled: process.env.PORTICO_BENCH_NO_METERING === '1' },
  });
  if (isClusterWorker()) announceReady(server.port);
  else process.stdout.write(`ready ${server.port} pid ${process.pid}\n`);
  const stop = () =>
    void server.close().then(async () => {
      const { disconnectDb } = await import('../../lib/db');
      await disconnectDb();
      if (profiler && profileFile) {
        const { profile } = await profiler.post('Profiler.stop');
        writeFileSync(profileFile, JSON.stringify(profile));
      }
      process.exit(0);
    });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
