import { inject } from 'vitest';

// Imported first by every integration test: points lib/db at the test database.
process.env.DATABASE_URL = inject('databaseUrl');
process.env.LOG_LEVEL ??= 'warn';
process.env.PORTICO_TOKEN_MAP_KEY ??= 'test-token-map-key-0123456789abcdef0123456789';
