-- CreateEnum
CREATE TYPE "LogType" AS ENUM ('METRIC', 'IMAGE', 'VIDEO', 'AUDIO', 'FILE', 'TEXT', 'ARTIFACT', 'HISTOGRAM', 'TABLE', 'DATA');

-- CreateEnum
CREATE TYPE "ConsoleStream" AS ENUM ('STDOUT', 'STDERR');

-- CreateTable
CREATE TABLE "run_log_names" (
    "id" SERIAL NOT NULL,
    "run_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "log_type" "LogType" NOT NULL,
    "log_group" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "run_log_names_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_log_lines" (
    "id" BIGSERIAL NOT NULL,
    "run_id" INTEGER NOT NULL,
    "stream" "ConsoleStream" NOT NULL,
    "line_number" INTEGER NOT NULL,
    "message" TEXT NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "run_log_lines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_alerts" (
    "id" SERIAL NOT NULL,
    "run_id" INTEGER NOT NULL,
    "level" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "email" BOOLEAN NOT NULL DEFAULT false,
    "url" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "run_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "run_log_names_run_id_name_key" ON "run_log_names"("run_id", "name");

-- CreateIndex
CREATE INDEX "run_log_lines_run_id_id_idx" ON "run_log_lines"("run_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "run_log_lines_run_id_stream_time_line_number_key" ON "run_log_lines"("run_id", "stream", "time", "line_number");

-- CreateIndex
CREATE INDEX "run_alerts_run_id_id_idx" ON "run_alerts"("run_id", "id");

-- AddForeignKey
ALTER TABLE "run_log_names" ADD CONSTRAINT "run_log_names_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_log_lines" ADD CONSTRAINT "run_log_lines_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_alerts" ADD CONSTRAINT "run_alerts_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
