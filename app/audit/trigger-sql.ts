import { ident } from '../db/sql-identifier';
import type { TableDeclaration } from '../registry';
import { fillExpressions } from './rule-sql';

/*
 * The database's side of the audit, for writes that do not come through
 * the models: a previous app version that knows nothing of the audit
 * columns (during a rolling upgrade), raw SQL by an operator. PostgreSQL
 * is the one place that sees every write, so it enforces there:
 *
 * - an INSERT that leaves an audit column NULL gets the backfill rule's
 *   value (the same expressions as the backfill, from the specification);
 * - an UPDATE that changes the row's data without naming modified_by in
 *   its SET list sets it to NULL: unknown, never a modifier who did not
 *   make the change. The models always name it (the mixin forces it into
 *   the SET list, even when the same user edits twice), so their writes
 *   keep the real actor.
 *
 * "Names modified_by" is seen by a BEFORE UPDATE OF modified_by trigger,
 * which fires even when the value is unchanged, and passes it to the next
 * trigger (row triggers of one event fire in name order) through a
 * transaction-local setting, which the second consumes: safe under
 * transaction pooling. Both only fire when modified_by is unchanged, so a
 * backfill, which sets it, pays nothing but the WHEN test. An UPDATE that
 * changes only audit columns or timestamps (the backfill's revert, a data
 * fix of created_at), or that the database
 * makes itself for another write (a foreign key's ON DELETE SET NULL when a
 * user is deleted: trigger depth 2), is no writer's change of the row and
 * keeps the modifier.
 */

const STAMPED = 'gma.audit_modifier_named';

/** Names of the table's audit triggers and their functions, in firing order. */
export function auditTriggerNames(spec: TableDeclaration) {
  return {
    fill: { trigger: `${spec.table}_audit_a_fill`, fn: `gma_audit_fill_${spec.table}` },
    named: { trigger: `${spec.table}_audit_b_named`, fn: `gma_audit_named_${spec.table}` },
    unnamed: { trigger: `${spec.table}_audit_c_unnamed`, fn: `gma_audit_unnamed_${spec.table}` },
  };
}

/** The statements that install the table's audit triggers (idempotent: re-run safely). */
export function installAuditTriggers(spec: TableDeclaration): string[] {
  const table = ident(spec.table);
  const names = auditTriggerNames(spec);
  const { creator, modifier } = fillExpressions(spec, false);
  const unchanged = 'WHEN (NEW.modified_by IS NOT DISTINCT FROM OLD.modified_by)';
  return [
    `CREATE OR REPLACE FUNCTION ${ident(names.fill.fn)}() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       SELECT ${creator}, ${modifier} INTO NEW.created_by, NEW.modified_by
         FROM (SELECT NEW.*) t ${spec.rule.joins ?? ''};
       RETURN NEW;
     END $$`,
    `CREATE OR REPLACE FUNCTION ${ident(names.named.fn)}() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       PERFORM set_config('${STAMPED}', 'on', true);
       RETURN NEW;
     END $$`,
    `CREATE OR REPLACE FUNCTION ${ident(names.unnamed.fn)}() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF current_setting('${STAMPED}', true) = 'on' THEN
         PERFORM set_config('${STAMPED}', 'off', true);
       ELSIF pg_trigger_depth() = 1
             AND (to_jsonb(NEW) - '{created_by,modified_by,created_at,updated_at}'::text[])
                 IS DISTINCT FROM (to_jsonb(OLD) - '{created_by,modified_by,created_at,updated_at}'::text[]) THEN
         NEW.modified_by := NULL;
       END IF;
       RETURN NEW;
     END $$`,
    `DROP TRIGGER IF EXISTS ${ident(names.fill.trigger)} ON ${table}`,
    `CREATE TRIGGER ${ident(names.fill.trigger)} BEFORE INSERT ON ${table} FOR EACH ROW
       WHEN (NEW.created_by IS NULL OR NEW.modified_by IS NULL)
       EXECUTE FUNCTION ${ident(names.fill.fn)}()`,
    `DROP TRIGGER IF EXISTS ${ident(names.named.trigger)} ON ${table}`,
    `CREATE TRIGGER ${ident(names.named.trigger)} BEFORE UPDATE OF modified_by ON ${table}
       FOR EACH ROW ${unchanged} EXECUTE FUNCTION ${ident(names.named.fn)}()`,
    `DROP TRIGGER IF EXISTS ${ident(names.unnamed.trigger)} ON ${table}`,
    `CREATE TRIGGER ${ident(names.unnamed.trigger)} BEFORE UPDATE ON ${table}
       FOR EACH ROW ${unchanged} EXECUTE FUNCTION ${ident(names.unnamed.fn)}()`,
  ];
}

/** The statements that remove them (absent is fine). */
export function removeAuditTriggers(spec: TableDeclaration): string[] {
  const table = ident(spec.table);
  const names = Object.values(auditTriggerNames(spec));
  return [
    ...names.map(({ trigger }) => `DROP TRIGGER IF EXISTS ${ident(trigger)} ON ${table}`),
    ...names.map(({ fn }) => `DROP FUNCTION IF EXISTS ${ident(fn)}()`),
  ];
}
