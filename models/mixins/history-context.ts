// Tells the database's history capture who is writing. The capture is a
// trigger (app/history/capture-sql.ts), so it sees every write but not the
// request: the app passes the actor, request id and source as settings local
// to the write's transaction (SET LOCAL, safe under transaction pooling). Every write path of an audited model goes through one of the
// methods wrapped here: inside the caller's transaction the settings are set
// on it, once per actor; without one, an instance's save (one INSERT or
// UPDATE) sends them in the same round trip as its statement, and any other
// write gets a transaction of its own. Raw SQL and writes from outside the
// app set nothing: actor unknown. What this needs of Sequelize's internals
// goes through app/db/sequelize-internals.ts.
import type { Model, ModelStatic, Sequelize, Transaction } from 'sequelize';
import { currentContext } from '../../app/context';
import { HISTORY_SETTINGS } from '../../app/db/history-settings';
import {
  extendStartTransaction,
  inlineWriteValues,
  parentTransaction,
  prefixQueries,
} from '../../app/db/sequelize-internals';
import { resolveOptionalActorId } from './audit-actor';

interface WriteOptions {
  transaction?: Transaction | null;
  user?: unknown;
  include?: unknown;
  /** The settings to send with this write's own statement (no transaction around it). */
  [STATEMENT_SETTINGS]?: readonly string[];
}

/** Option key of the settings a one-statement write carries to its statement. */
const STATEMENT_SETTINGS = Symbol('history-statement-settings');

/** What the settings of a transaction were last set to, so each is sent once. */
const applied = new WeakMap<Transaction, string>();

function settingsFor(options: WriteOptions | undefined): [string, string, string] {
  const context = currentContext();
  const actor = resolveOptionalActorId(options);
  return [
    actor === undefined ? '' : String(actor),
    context?.requestId ?? '',
    context?.historySource ?? context?.source ?? '',
  ];
}

/**
 * The statements that set the three settings, values escaped: SET LOCAL
 * takes no bind parameters, and a simple-protocol query can carry them
 * together with the statement they go with.
 */
function settingsSql(sequelize: Sequelize, values: readonly string[]): string {
  const [actor, requestId, source] = values.map((value) => sequelize.escape(value));
  return (
    `SET LOCAL ${HISTORY_SETTINGS.actor} = ${actor}; ` +
    `SET LOCAL ${HISTORY_SETTINGS.requestId} = ${requestId}; ` +
    `SET LOCAL ${HISTORY_SETTINGS.source} = ${source};`
  );
}

async function applySettings(
  sequelize: Sequelize,
  transaction: Transaction,
  options: WriteOptions | undefined,
): Promise<void> {
  const values = settingsFor(options);
  const key = values.join('\u0000');
  if (applied.get(transaction) === key) return;
  await sequelize.query(settingsSql(sequelize, values), { transaction });
  applied.set(transaction, key);
}

const patched = new WeakSet<Sequelize>();

/**
 * Sends the current context's settings in the same round trip as every
 * transaction's START TRANSACTION (a simple-protocol query may hold several
 * statements), so a write inside a transaction the context opened costs no
 * extra statement; a write by another actor in it still sets its own.
 */
function sendSettingsWithBegin(sequelize: Sequelize): void {
  extendStartTransaction(sequelize, (sql, transaction) => {
    if (parentTransaction(transaction) || !currentContext()) return sql;
    const values = settingsFor(undefined);
    applied.set(transaction, values.join('\u0000'));
    return `${sql} ${settingsSql(sequelize, values)}`;
  });
}

/**
 * Sends a one-statement write's settings in the same round trip as the
 * statement: `SET LOCAL ...; INSERT ...` as one simple-protocol query, which
 * PostgreSQL runs as one implicit transaction (the settings last for it
 * alone, as under transaction pooling). A simple query takes no bind
 * parameters, so the INSERT or UPDATE is generated with its values escaped,
 * as Sequelize does for every bulk statement; SET returns no rows, so the
 * statement's own rows are what Sequelize reads.
 */
function sendSettingsWithStatement(sequelize: Sequelize): void {
  const settingsOf = (options: WriteOptions | undefined) => options?.[STATEMENT_SETTINGS];
  inlineWriteValues(sequelize, (options) => settingsOf(options) !== undefined);
  prefixQueries(sequelize, (options) => {
    const values = settingsOf(options);
    return values ? settingsSql(sequelize, values) : undefined;
  });
}

/**
 * Runs `write` with the history settings in place: on the caller's
 * transaction; without one, with the write's own statement when it makes
 * exactly one (`oneStatement`), or else on a new transaction around it.
 */
async function withHistoryContext<T>(
  sequelize: Sequelize,
  options: WriteOptions | undefined,
  oneStatement: boolean,
  write: (options: WriteOptions) => Promise<T>,
): Promise<T> {
  if (options?.transaction) {
    await applySettings(sequelize, options.transaction, options);
    return write(options);
  }
  // A save with `include` saves the associated rows too: several statements.
  if (oneStatement && !options?.include) {
    return write({ ...options, [STATEMENT_SETTINGS]: settingsFor(options) });
  }
  return sequelize.transaction(async (transaction) => {
    await applySettings(sequelize, transaction, options);
    return write({ ...options, transaction });
  });
}

type Method = ((this: unknown, ...args: unknown[]) => Promise<unknown>) & { [UNWRAPPED]?: Method };

// The method a wrapper replaced: a model initialised again is wrapped once, not twice.
const UNWRAPPED = Symbol('history-unwrapped');

function wrap(target: object, name: string, optionsAt: number, oneStatement = false): void {
  const current = (target as Record<string, Method>)[name];
  if (typeof current !== 'function') throw new Error(`cannot wrap ${name}: not a method`);
  const original = current[UNWRAPPED] ?? current;
  const wrapped: Method = function (this: unknown, ...args: unknown[]) {
    const sequelize = (
      typeof this === 'function' ? this : (this as Model).constructor
    ) as ModelStatic<Model>;
    return withHistoryContext(
      sequelize.sequelize!,
      args[optionsAt] as WriteOptions,
      oneStatement,
      (options) => {
        const next = [...args];
        next[optionsAt] = options;
        return original.apply(this, next);
      },
    );
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
  if (model.sequelize && !patched.has(model.sequelize)) {
    patched.add(model.sequelize);
    sendSettingsWithBegin(model.sequelize);
    sendSettingsWithStatement(model.sequelize);
  }
  wrap(model, 'bulkCreate', 1);
  wrap(model, 'update', 1);
  wrap(model, 'destroy', 0);
  wrap(model, 'upsert', 1);
  wrap(model.prototype, 'save', 0, true);
  wrap(model.prototype, 'destroy', 0);
}
