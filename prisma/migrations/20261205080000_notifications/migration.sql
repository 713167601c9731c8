-- Notifications sent once (an expiring key, a budget threshold), keyed so that only one instance sends each.
CREATE TABLE "notifications_sent" (
    "id" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notifications_sent_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "notifications_sent_dedupe_key_key" ON "notifications_sent"("dedupe_key");
