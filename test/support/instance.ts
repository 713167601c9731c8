// One Portico proxy in a process of its own, for the scale-out test: started, killed and restarted like a real
// replica. Configured by the environment the test gives it (DATABASE_URL, REDIS_URL, the usage journal folder).
import { parseConfig, resolveConfig } from '../../lib/config';
import { rawEnv } from '../../lib/env';
import { startServer } from '../../server';
import { TEST_SECRETS, testConfigYaml } from './portico';

const { SCALE_UPSTREAM_URL: upstream, SCALE_PORT: port } = rawEnv();
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
process.stdout.write(`ready ${server.port}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
