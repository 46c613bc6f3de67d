// Tells the database's history capture who is writing. The capture is a
// trigger (app/history/capture-sql.ts), so it sees every write but not the
// request: the app passes the actor, request id and source as settings local
// to the write's transaction (set_config(..., true), safe under transaction
// pooling). Every write path of an audited model goes through one of the
// methods wrapped here: inside the caller's transaction the settings are set
// on it, once per actor; without one, the write gets a transaction of its
// own. Raw SQL and writes from outside the app set nothing: actor unknown.
import type { Model, ModelStatic, Sequelize, Transaction } from 'sequelize';
import { currentContext } from '../../app/context';
import { HISTORY_SETTINGS } from '../../app/history/captured-table';
import { resolveOptionalActorId } from './audit-actor';

interface WriteOptions {
  transaction?: Transaction | null;
  user?: unknown;
}

/** What the settings of a transaction were last set to, so each is sent once. */
const applied = new WeakMap<Transaction, string>();

function settingsFor(options: WriteOptions | undefined): [string, string, string] {
  const context = currentContext();
  const actor = resolveOptionalActorId(options);
  return [
    actor === undefined ? '' : String(actor),
    context?.requestId ?? '',
    context?.source ?? '',
  ];
}

async function applySettings(
  sequelize: Sequelize,
  transaction: Transaction,
  options: WriteOptions | undefined,
): Promise<void> {
  const values = settingsFor(options);
  const key = values.join('\u0000');
  if (applied.get(transaction) === key) return;
  await sequelize.query(
    `SELECT set_config('${HISTORY_SETTINGS.actor}', $1, true),
            set_config('${HISTORY_SETTINGS.requestId}', $2, true),
            set_config('${HISTORY_SETTINGS.source}', $3, true)`,
    { bind: values, transaction },
  );
  applied.set(transaction, key);
}

/**
 * Runs `write` with the history settings in place: on the caller's
 * transaction, or on a new one around the write.
 */
async function withHistoryContext<T>(
  sequelize: Sequelize,
  options: WriteOptions | undefined,
  write: (options: WriteOptions) => Promise<T>,
): Promise<T> {
  if (options?.transaction) {
    await applySettings(sequelize, options.transaction, options);
    return write(options);
  }
  return sequelize.transaction(async (transaction) => {
    await applySettings(sequelize, transaction, options);
    return write({ ...options, transaction });
  });
}

type Method = ((this: unknown, ...args: unknown[]) => Promise<unknown>) & { [UNWRAPPED]?: Method };

// The method a wrapper replaced: a model initialised again is wrapped once, not twice.
const UNWRAPPED = Symbol('history-unwrapped');

function wrap(target: object, name: string, optionsAt: number): void {
  const current = (target as Record<string, Method>)[name];
  if (typeof current !== 'function') throw new Error(`cannot wrap ${name}: not a method`);
  const original = current[UNWRAPPED] ?? current;
  const wrapped: Method = function (this: unknown, ...args: unknown[]) {
    const sequelize = (
      typeof this === 'function' ? this : (this as Model).constructor
    ) as ModelStatic<Model>;
    return withHistoryContext(sequelize.sequelize!, args[optionsAt] as WriteOptions, (options) => {
      const next = [...args];
      next[optionsAt] = options;
      return original.apply(this, next);
    });
  };
  wrapped[UNWRAPPED] = original;
  Object.defineProperty(target, name, { value: wrapped, configurable: true, writable: true });
}

/**
 * Wraps the model's writing methods; call after applyAudit (which replaces
 * upsert and increment: increment writes through the wrapped update). The
 * others reach these: create and instance update call save, findOrCreate
 * passes its own transaction down.
 */
export function applyHistoryContext(model: ModelStatic<Model>): void {
  wrap(model, 'bulkCreate', 1);
  wrap(model, 'update', 1);
  wrap(model, 'destroy', 0);
  wrap(model, 'upsert', 1);
  wrap(model.prototype, 'save', 0);
  wrap(model.prototype, 'destroy', 0);
}
