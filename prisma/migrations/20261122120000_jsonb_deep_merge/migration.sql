-- Resume lays the request's config into the stored one, recursively for nested objects
-- (run-model.md, "Resume"). Done in SQL so that it happens inside one UPDATE: concurrent
-- resumes of one run (every rank of a job) serialize on the row and lose no key.
--
-- Written as LANGUAGE sql with no semicolon inside the bodies: the migration runner splits
-- scripts at semicolons. A sql body is checked when it is created and cannot name itself
-- yet, so a trivial version comes first and the recursive one replaces it.
CREATE OR REPLACE FUNCTION jsonb_deep_merge(base jsonb, patch jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$ SELECT patch $$;

CREATE OR REPLACE FUNCTION jsonb_deep_merge(base jsonb, patch jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN jsonb_typeof(base) IS DISTINCT FROM 'object' OR jsonb_typeof(patch) IS DISTINCT FROM 'object' THEN patch
    ELSE COALESCE((
      SELECT jsonb_object_agg(k,
        CASE
          WHEN jsonb_typeof(base -> k) = 'object' AND jsonb_typeof(patch -> k) = 'object' THEN jsonb_deep_merge(base -> k, patch -> k)
          WHEN patch ? k THEN patch -> k
          ELSE base -> k
        END)
      FROM (SELECT jsonb_object_keys(base) UNION SELECT jsonb_object_keys(patch)) AS keys(k)
    ), '{}'::jsonb)
  END
$$;
