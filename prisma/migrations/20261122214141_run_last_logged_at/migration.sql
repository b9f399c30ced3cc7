-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "last_logged_at" TIMESTAMPTZ(3);
