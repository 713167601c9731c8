-- The app page's image and audio totals read only the raw events that carry units: a partial index keeps that
-- read proportional to those events, not to all of an app's traffic.
CREATE INDEX "usage_events_units_idx" ON "usage_events"("app_id", "created_at") WHERE "unit" IS NOT NULL;
