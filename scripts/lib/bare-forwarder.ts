// The floor for the benchmark: the same forward with nothing of Portico's (no key check, no policy, no
// metering, no parsing), on node:http + undici. `tsx scripts/lib/bare-forwarder.ts <upstream url>`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';

const target = new URL(process.argv[2]!);
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256 });
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    agent
      .request({
        origin: target.origin,
        path: target.pathname,
        method: 'POST',
        body: Buffer.concat(chunks),
        headers: { 'content-type': 'application/json' },
      })
      .then(async (up) => {
        const body = Buffer.from(await up.body.arrayBuffer());
        res.writeHead(up.statusCode, {
          'content-type': String(up.headers['content-type'] ?? 'application/json'),
          'content-length': body.length,
        });
        res.end(body);
      })
      .catch(() => res.writeHead(502).end());
  });
});
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`ready ${(server.address() as AddressInfo).port} pid ${process.pid}\n`),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
