-- Which deployment of a model answered each request (routing over deployment groups).
ALTER TABLE "usage_events" ADD COLUMN "upstream" TEXT;
