-- App names: unique whatever the case, among apps that are not rejected (a rejected request gives its name back).
-- The partial index on lower(name) is not expressible in the Prisma schema, and lib/apps checks the same rule first.
DROP INDEX IF EXISTS "apps_name_key";
CREATE UNIQUE INDEX "apps_name_live_key" ON "apps" (lower("name")) WHERE "status" <> 'rejected';
