// A fake upstream in its own process, for benchmarks: `tsx scripts/lib/fake-upstream-main.ts <port>`.
import { startFakeUpstream } from './fake-upstream';

const up = await startFakeUpstream({ record: false, port: Number(process.argv[2] ?? 0) });
process.stdout.write(`ready ${up.port} pid ${process.pid}\n`);
process.on('SIGTERM', () => void up.close().then(() => process.exit(0)));
