-- CreateTable
CREATE TABLE "metric_rollups" (
    "metric_id" INTEGER NOT NULL,
    "block" BIGINT NOT NULL,
    "count" INTEGER NOT NULL,
    "non_nan" INTEGER NOT NULL,
    "sum" DOUBLE PRECISION,
    "min" DOUBLE PRECISION,
    "max" DOUBLE PRECISION,
    "first_step" BIGINT NOT NULL,
    "first_value" DOUBLE PRECISION NOT NULL,
    "last_step" BIGINT NOT NULL,
    "last_value" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "metric_rollups_pkey" PRIMARY KEY ("metric_id","block")
);

-- AddForeignKey
ALTER TABLE "metric_rollups" ADD CONSTRAINT "metric_rollups_metric_id_fkey" FOREIGN KEY ("metric_id") REFERENCES "metrics"("id") ON DELETE CASCADE ON UPDATE CASCADE;
