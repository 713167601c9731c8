// What choosing a deployment costs per request (npm run -s bench:router; npm run bench prints it too): the
// router's order, start and finish for a model of one deployment (the common path) and a group of three, in CPU
// microseconds per request.
import { pathToFileURL } from 'node:url';
import { parseConfig, resolveConfig } from '../lib/config';
import { Router } from '../lib/proxy/router';

const YAML = `providers:
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
`;

/** CPU microseconds per request the router spends: a model of one deployment, and a group of three. */
export function benchRouting(): { one: number; group: number } {
  const cfg = resolveConfig({ file: parseConfig(YAML, 'bench'), source: 'bench' }, {});
  const router = new Router();
  const out = { one: 0, group: 0 };
  for (const name of ['one', 'group'] as const) {
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
    out[name] = (used.user + used.system) / n;
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = benchRouting();
  console.log(`one deployment: ${r.one.toFixed(3)} µs of CPU per request`);
  console.log(`group of three: ${r.group.toFixed(3)} µs of CPU per request`);
}
