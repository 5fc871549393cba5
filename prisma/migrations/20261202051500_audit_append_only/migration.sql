-- The audit log is append-only: rows can be inserted and read, never changed or removed.
-- Written by hand (Prisma does not model triggers); plain PL/pgSQL that runs on PostgreSQL 15
-- and on PGlite (PostgreSQL 17).

-- CreateFunction
CREATE FUNCTION "audit_log_refuse_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING HINT = TG_OP || ' on audit_log is refused';
END;
$$;

-- CreateTrigger
CREATE TRIGGER "audit_log_append_only"
BEFORE UPDATE OR DELETE ON "audit_log"
FOR EACH ROW EXECUTE FUNCTION "audit_log_refuse_change"();

-- CreateTrigger (TRUNCATE bypasses row triggers)
CREATE TRIGGER "audit_log_no_truncate"
BEFORE TRUNCATE ON "audit_log"
FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_refuse_change"();
