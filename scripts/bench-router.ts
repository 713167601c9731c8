// What choosing a deployment costs per request (npm run -s bench:router): the router's order, start and finish
// for a model of one deployment (the common path) and a group of three, in CPU microseconds per request.
import { parseConfig, resolveConfig } from '../lib/config';
import { Router } from '../lib/proxy/router';

const cfg = resolveConfig(
  {
    file: parseConfig(
      `providers:
  a: { type: echo }
  b: { type: echo }
  c: { type: echo }
models:
  one: { provider: a }
  group:
    targets:
      - { provider: a, deployment: x, weight: 3 }
      - { provider: b, deployment: y, weight: 1 }
      - { provider: c, deployment: z, weight: 1, priority: 1 }
`,
      'bench',
    ),
    source: 'bench',
  },
  {},
);
const router = new Router();
for (const name of ['one', 'group']) {
  const model = cfg.models.get(name)!;
  const run = (n: number) => {
    for (let i = 0; i < n; i++) {
      const [t] = router.order(model);
      router.start(model, t!);
      router.finish(model, t!, { ok: true, latencyMs: 100 });
    }
  };
  run(100_000); // warm up
  const n = 1_000_000;
  const t0 = process.cpuUsage();
  run(n);
  const used = process.cpuUsage(t0);
  console.log(
    `${name === 'one' ? 'one deployment ' : 'group of three '}: ${(((used.user + used.system) / n) * 1).toFixed(3)} µs of CPU per request`,
  );
}
