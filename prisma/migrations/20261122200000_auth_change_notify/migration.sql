-- Gateways cache the API keys they have authenticated (src/domain/key-cache.ts). A change
-- that can refuse a key (revocation, expiry, deletion, its organization renamed or
-- deleted) tells every gateway listening on this channel to forget it, whoever made the
-- change: the CLI, another replica, or an operator's plain SQL. lastUsedAt writes do not.
CREATE OR REPLACE FUNCTION notify_auth_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'api_keys' THEN
    PERFORM pg_notify('gateway_auth', 'key:' || OLD.key_hash);
  ELSE
    PERFORM pg_notify('gateway_auth', 'org:' || OLD.id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_auth_change
  AFTER UPDATE OF key_hash, organization_id, expires_at, revoked_at OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION notify_auth_change();

CREATE TRIGGER organizations_auth_change
  AFTER UPDATE OF slug, name OR DELETE ON organizations
  FOR EACH ROW EXECUTE FUNCTION notify_auth_change();
