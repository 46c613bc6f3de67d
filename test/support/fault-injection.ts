import type { Sequelize } from 'sequelize';

/**
 * Injected failures for the atomicity tests. An event trigger counts every
 * DDL command in the database and a statement trigger on every table of
 * `public` counts UPDATE statements; the Nth of either raises an error. The
 * counters are sequences, which a rollback does not reset, so once a fault
 * has fired a re-run goes through, like the recovery from a crash. With no
 * fault asked for, the same triggers only count (see `commandCounts`).
 */
export const FAULT_SCHEMA = 'gma_fault';
export const FAULT_MESSAGE = 'injected failure';

export interface Fault {
  /** Fail the Nth DDL command (CREATE, ALTER, DROP, COMMENT...) from now. */
  ddl?: number;
  /** Fail the Nth UPDATE statement (on any table of `public`) from now, e.g. a backfill batch. */
  update?: number;
}

const NEVER = 2_000_000_000;

/** Installs the counters and, if asked, a fault. Replaces any earlier one. */
export async function injectFault(sequelize: Sequelize, fault: Fault = {}): Promise<void> {
  await clearFaults(sequelize);
  const ddl = Number(fault.ddl ?? NEVER);
  const update = Number(fault.update ?? NEVER);
  await sequelize.query(`
    CREATE SCHEMA ${FAULT_SCHEMA};
    CREATE SEQUENCE ${FAULT_SCHEMA}.ddl_count;
    CREATE SEQUENCE ${FAULT_SCHEMA}.update_count;
    CREATE FUNCTION ${FAULT_SCHEMA}.on_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF nextval('${FAULT_SCHEMA}.update_count') = ${update} THEN
        RAISE EXCEPTION '${FAULT_MESSAGE} at UPDATE #${update} (on %)', TG_TABLE_NAME;
      END IF;
      RETURN NULL;
    END $$;
    CREATE FUNCTION ${FAULT_SCHEMA}.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF nextval('${FAULT_SCHEMA}.ddl_count') = ${ddl} THEN
        RAISE EXCEPTION '${FAULT_MESSAGE} at DDL command #${ddl} (%)', tg_tag;
      END IF;
    END $$;
  `);
  const [tables] = await sequelize.query(
    "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'",
  );
  for (const { t } of tables as Array<{ t: string }>) {
    await sequelize.query(
      `CREATE TRIGGER gma_fault_update AFTER UPDATE ON public."${t}"
         FOR EACH STATEMENT EXECUTE FUNCTION ${FAULT_SCHEMA}.on_update()`,
    );
  }
  // Last, so that installing the counters is not counted.
  await sequelize.query(
    `CREATE EVENT TRIGGER gma_fault_ddl ON ddl_command_end EXECUTE FUNCTION ${FAULT_SCHEMA}.on_ddl()`,
  );
}

/** DDL commands and UPDATE statements counted since `injectFault`. */
export async function commandCounts(
  sequelize: Sequelize,
): Promise<{ ddl: number; update: number }> {
  const [rows] = await sequelize.query(`
    SELECT (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM ${FAULT_SCHEMA}.ddl_count) AS ddl,
           (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM ${FAULT_SCHEMA}.update_count) AS update`);
  const row = (rows as Array<{ ddl: string; update: string }>)[0]!;
  return { ddl: Number(row.ddl), update: Number(row.update) };
}

/** Removes the counters and faults, leaving the database as it was. */
export async function clearFaults(sequelize: Sequelize): Promise<void> {
  await sequelize.query('DROP EVENT TRIGGER IF EXISTS gma_fault_ddl');
  // The triggers on public tables depend on the functions: CASCADE drops them too.
  await sequelize.query(`DROP SCHEMA IF EXISTS ${FAULT_SCHEMA} CASCADE`);
}
