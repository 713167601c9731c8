// Runs the start-up's first-admin step against DATABASE_URL and prints what it did (test helper).
import { ensureFirstAdmin } from '../../lib/users/bootstrap';
import { disconnectDb } from '../../lib/db';

const result = await ensureFirstAdmin(process.env.PORTICO_ADMIN_EMAIL, process.env.PORTICO_ADMIN_PASSWORD);
process.stdout.write(JSON.stringify(result) + '\n');
await disconnectDb();
