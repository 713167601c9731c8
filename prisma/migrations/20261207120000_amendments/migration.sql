-- Amendments: an approved app's owners ask for more, reviewed with four eyes like the first request.
-- The app's allowed_* columns (what the proxy reads) change only when an amendment is approved.
ALTER TYPE "ReviewDecision" ADD VALUE 'amendment_requested';
ALTER TYPE "ReviewDecision" ADD VALUE 'amendment_approved';
ALTER TYPE "ReviewDecision" ADD VALUE 'amendment_rejected';
ALTER TYPE "ReviewDecision" ADD VALUE 'amendment_withdrawn';

CREATE TYPE "AmendmentStatus" AS ENUM ('pending', 'approved', 'rejected', 'withdrawn');

CREATE TABLE "access_amendments" (
    "id" TEXT NOT NULL,
    "app_id" TEXT NOT NULL,
    "status" "AmendmentStatus" NOT NULL DEFAULT 'pending',
    "requested_by_id" TEXT,
    "reason" TEXT NOT NULL,
    "models" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "endpoints" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "adapters" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "images" BOOLEAN NOT NULL DEFAULT false,
    "audio" BOOLEAN NOT NULL DEFAULT false,
    "rpm_limit" INTEGER,
    "tpm_limit" INTEGER,
    "monthly_token_budget" BIGINT,
    "monthly_cost_budget_usd" DOUBLE PRECISION,
    "decided_by_id" TEXT,
    "decision_reason" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decided_at" TIMESTAMP(3),
    CONSTRAINT "access_amendments_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "access_amendments_app_id_created_at_idx" ON "access_amendments"("app_id", "created_at");
CREATE INDEX "access_amendments_status_idx" ON "access_amendments"("status");
-- One amendment waits at a time per app
CREATE UNIQUE INDEX "access_amendments_one_pending_key" ON "access_amendments"("app_id") WHERE "status" = 'pending';

ALTER TABLE "access_amendments" ADD CONSTRAINT "access_amendments_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "access_amendments" ADD CONSTRAINT "access_amendments_requested_by_id_fkey" FOREIGN KEY ("requested_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "access_amendments" ADD CONSTRAINT "access_amendments_decided_by_id_fkey" FOREIGN KEY ("decided_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
