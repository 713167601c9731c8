-- Custom endpoints: the ones an owner asks for, and the ones a reviewer granted.
ALTER TABLE "apps" ADD COLUMN "requested_endpoints" TEXT[] DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "apps" ADD COLUMN "allowed_endpoints" TEXT[] DEFAULT ARRAY[]::TEXT[];
