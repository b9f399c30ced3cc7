-- DropForeignKey
ALTER TABLE "metric_points" DROP CONSTRAINT "metric_points_metric_id_fkey";

-- What the foreign key's ON DELETE CASCADE did, once per statement instead of once per
-- row: a deleted series (its run or organization deleted) takes its points with it.
CREATE OR REPLACE FUNCTION delete_series_points() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM metric_points p USING deleted_series d WHERE p.metric_id = d.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER metrics_delete_points
  AFTER DELETE ON metrics REFERENCING OLD TABLE AS deleted_series
  FOR EACH STATEMENT EXECUTE FUNCTION delete_series_points();
