-- Images and audio bill by count, seconds or characters rather than tokens.
ALTER TABLE "usage_events" ADD COLUMN "units" DOUBLE PRECISION,
ADD COLUMN "unit" TEXT;
