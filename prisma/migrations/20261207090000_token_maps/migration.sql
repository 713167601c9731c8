-- Stateful calls: a reviewer's decision per app, the sealed token maps of chains of upstream objects, and the
-- objects each app created upstream (ids only).
ALTER TABLE "apps" ADD COLUMN "stateful_phi" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "token_maps" (
    "id" TEXT NOT NULL,
    "app_id" TEXT NOT NULL,
    "sealed" BYTEA NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "token_maps_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "upstream_objects" (
    "app_id" TEXT NOT NULL,
    "object_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "map_id" TEXT,
    "provider" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3),
    "metered_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "upstream_objects_pkey" PRIMARY KEY ("app_id","object_id")
);

CREATE INDEX "token_maps_app_id_idx" ON "token_maps"("app_id");
CREATE INDEX "token_maps_expires_at_idx" ON "token_maps"("expires_at");
CREATE INDEX "upstream_objects_map_id_idx" ON "upstream_objects"("map_id");
CREATE INDEX "upstream_objects_expires_at_idx" ON "upstream_objects"("expires_at");

ALTER TABLE "token_maps" ADD CONSTRAINT "token_maps_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "upstream_objects" ADD CONSTRAINT "upstream_objects_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "upstream_objects" ADD CONSTRAINT "upstream_objects_map_id_fkey" FOREIGN KEY ("map_id") REFERENCES "token_maps"("id") ON DELETE SET NULL ON UPDATE CASCADE;
