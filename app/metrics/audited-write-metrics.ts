import { Counter, type Registry } from 'prom-client';
import type { Model, Sequelize } from 'sequelize';
import { currentContext } from '../context';
import { AUDITED_TABLE_NAMES } from '../audit/audit-spec';

type Operation = 'create' | 'update';
type Listener = (table: string, operation: Operation, rows: number) => void;

const listeners = new WeakMap<Sequelize, Set<Listener>>();
const audited = new Set<string>(AUDITED_TABLE_NAMES);

function tableOf(model: Model): string | undefined {
  const table = (model.constructor as typeof Model).getTableName();
  const name = typeof table === 'string' ? table : table.tableName;
  return audited.has(name) ? name : undefined;
}

/**
 * Calls `listener` after every create or update of an audited model on this
 * Sequelize instance. The hooks are added once per instance, however many
 * apps listen, so nothing is counted twice.
 */
function onAuditedWrite(sequelize: Sequelize, listener: Listener): void {
  let set = listeners.get(sequelize);
  if (!set) {
    const registered = new Set<Listener>();
    set = registered;
    listeners.set(sequelize, registered);
    const emit = (table: string | undefined, operation: Operation, rows: number) => {
      if (table === undefined || rows === 0) return;
      for (const fn of registered) fn(table, operation, rows);
    };
    sequelize.addHook('afterCreate', (instance: Model) => emit(tableOf(instance), 'create', 1));
    sequelize.addHook('afterUpdate', (instance: Model) => emit(tableOf(instance), 'update', 1));
    sequelize.addHook('afterBulkCreate', (instances: Model[]) => {
      if (instances[0]) emit(tableOf(instances[0]), 'create', instances.length);
    });
  }
  set.add(listener);
}

/**
 * `gma_audited_writes_total{table,operation,source}`: creates and updates of
 * characters, items and locations through the models, by where they came
 * from (http, cli, seed, job, ...; `none` outside any context).
 */
export function auditedWriteMetrics(registry: Registry, sequelize: Sequelize): void {
  const writes = new Counter({
    name: 'gma_audited_writes_total',
    help: 'Rows created or updated through the models in audited tables, by table, operation and source',
    labelNames: ['table', 'operation', 'source'] as const,
    registers: [registry],
  });
  onAuditedWrite(sequelize, (table, operation, rows) =>
    writes.inc({ table, operation, source: currentContext()?.source ?? 'none' }, rows),
  );
}
