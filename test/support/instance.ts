// One Portico proxy in a process of its own, for the scale-out tests: started, killed and restarted like a real
// replica. Configured by the environment the test gives it (DATABASE_URL, REDIS_URL, the usage journal folder).
// SCALE_WORKERS=N serves the port from N worker processes (node:cluster), as PORTICO_WORKERS does for `npm start`.
import cluster from 'node:cluster';
import { announceReady, isClusterWorker, startPrimary, workersReady } from '../../lib/cluster';
import { parseConfig, resolveConfig } from '../../lib/config';
import { rawEnv } from '../../lib/env';
import { monthToDateFromDb } from '../../lib/limits';
import { startServer } from '../../server';
import { TEST_SECRETS, testConfigYaml } from './portico';

const { SCALE_UPSTREAM_URL: upstream, SCALE_PORT: port, SCALE_WORKERS: workers = '1' } = rawEnv();

if (cluster.isPrimary && Number(workers) > 1) {
  const ready = workersReady(Number(workers));
  const primary = startPrimary({ workers: Number(workers), monthToDate: monthToDateFromDb, say: () => {} });
  await ready;
  process.stdout.write(`ready ${port}\n`);
  process.once('SIGTERM', () => {
    void primary.close().then(() => process.exit(0));
  });
} else {
  const config = resolveConfig(
    { file: parseConfig(testConfigYaml(upstream!), 'scale test config'), source: 'scale test config' },
    { ...rawEnv(), ...TEST_SECRETS },
  );
  const server = await startServer({
    port: Number(port),
    host: '127.0.0.1',
    portal: false,
    config,
    drainMs: 5_000,
    usage: { flushIntervalMs: 200 },
  });
  if (isClusterWorker()) announceReady(server.port);
  else process.stdout.write(`ready ${server.port}\n`);
  process.once('SIGTERM', () => {
    void server.close().then(() => process.exit(0));
  });
}
