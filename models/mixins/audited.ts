// The audit mixin shared by Character, Item and Location: the createdBy and
// modifiedBy attributes, their associations, and a stamp on every write path.
// Each path is covered where Sequelize lets a hook see it (create, save,
// update, Model.update, bulkCreate) and wrapped where it does not (upsert,
// whose hook changes are ignored upstream, and increment/decrement, which run
// no hooks). Raw SQL and `{ hooks: false }` bypass it by design: migrations
// write audit columns themselves.
import {
  DataTypes,
  Model,
  QueryTypes,
  type BulkCreateOptions,
  type CreateOptions,
  type IncrementDecrementOptionsWithBy,
  type ModelStatic,
  type UpdateOptions,
  type UpsertOptions,
} from 'sequelize';
import { previousValues } from '../../app/db/sequelize-internals';
import { resolveActorId } from './audit-actor';
import { AuditFieldError } from './audit-errors';
import { applyHistoryContext } from './history-context';

/** The two audit attributes, as every audited model declares them. */
export interface AuditAttributes {
  createdBy: number | null;
  modifiedBy: number | null;
}

/** Names of the audit attributes; creation attribute types omit them. */
export type AuditField = keyof AuditAttributes;

/**
 * Attribute definitions to spread into an audited model's `init()`; fresh
 * objects each call, since Sequelize writes into a definition (its model,
 * field name, references) and a shared one would end up naming the last model.
 */
export function auditAttributes() {
  return {
    createdBy: { type: DataTypes.INTEGER, allowNull: true },
    modifiedBy: { type: DataTypes.INTEGER, allowNull: true },
  };
}

type AuditedInstance = Model & AuditAttributes;
type AuditedModel = ModelStatic<AuditedInstance>;
type Values = Record<string, unknown>;

// Marks values that went through auditedUpsert, so a direct Model.upsert call is caught.
const STAMPED = Symbol('audit-stamped');

/** Registers the audit hooks and wrappers on a model; call right after its `init()`. */
export function applyAudit(model: ModelStatic<Model>): void {
  const attributes = model.getAttributes();
  if (!attributes.createdBy || !attributes.modifiedBy) {
    throw new Error(`${model.name} must spread auditAttributes() into init() before applyAudit`);
  }
  const audited = model as unknown as AuditedModel;
  // init() resets hooks, so registering again after a re-init never doubles them.
  audited.addHook('beforeCreate', 'audit', (instance, options) =>
    stampCreate(instance as AuditedInstance, options as CreateOptions),
  );
  audited.addHook('beforeUpdate', 'audit', (instance, options) =>
    stampUpdate(instance as AuditedInstance, options as CreateOptions & { type?: string }),
  );
  audited.addHook('beforeBulkCreate', 'audit', (instances, options) =>
    stampBulkCreate(audited, instances as AuditedInstance[], options),
  );
  audited.addHook('beforeBulkUpdate', 'audit', (options) =>
    stampBulkUpdate(audited, options as UpdateOptions & { attributes: Values }),
  );
  audited.addHook('beforeUpsert', 'audit', (values) => {
    if (!(values as { [STAMPED]?: boolean })[STAMPED]) {
      throw new Error(
        `${audited.name}.upsert bypassed the audit stamp; call ${audited.name}.upsert`,
      );
    }
  });
  for (const [name, value] of Object.entries({
    upsert: auditedUpsert,
    increment: auditedIncrement,
  })) {
    Object.defineProperty(model, name, { value, configurable: true, writable: true });
  }
  applyHistoryContext(model);
}

/** Declares the `createdByUser` and `modifiedByUser` associations to `user`. */
export function associateAuditUsers(model: ModelStatic<Model>, user: ModelStatic<Model>): void {
  model.belongsTo(user, { as: 'createdByUser', foreignKey: 'createdBy' });
  model.belongsTo(user, { as: 'modifiedByUser', foreignKey: 'modifiedBy' });
}

function modelName(instance: Model): string {
  return (instance.constructor as ModelStatic<Model>).name;
}

/** A caller-supplied audit value is refused unless it is exactly what the stamp writes. */
function refuseForeignValue(
  name: string,
  field: AuditField,
  value: unknown,
  actorId: number,
): void {
  if (value !== undefined && value !== null && value !== actorId) {
    throw new AuditFieldError(name, field, `it would be ${actorId}, the acting user`);
  }
}

function addField(fields: string[] | undefined, field: string): void {
  if (fields && !fields.includes(field)) fields.push(field);
}

function stampCreate(instance: AuditedInstance, options: CreateOptions): void {
  const name = modelName(instance);
  const actorId = resolveActorId(options, name);
  refuseForeignValue(name, 'createdBy', instance.get('createdBy'), actorId);
  refuseForeignValue(name, 'modifiedBy', instance.get('modifiedBy'), actorId);
  instance.set({ createdBy: actorId, modifiedBy: actorId });
  // With `create(values, { fields })` the stamp is written only if listed.
  const fields = options.fields as string[] | undefined;
  addField(fields, 'createdBy');
  addField(fields, 'modifiedBy');
}

function stampUpdate(instance: AuditedInstance, options: CreateOptions & { type?: string }): void {
  // Model.update with individualHooks: stampBulkUpdate has checked and stamped already.
  if (options.type === QueryTypes.BULKUPDATE) return;
  const name = modelName(instance);
  if (instance.changed('createdBy')) {
    throw new AuditFieldError(name, 'createdBy', 'the creator is set once, on create');
  }
  const fields = (options.fields ?? []) as string[];
  // Only a listed field that really changed is a write: `save({ fields })`
  // saves those fields alone, whatever else is dirty on the instance.
  const realChanges = (instance.changed() || []).filter(
    (key) => key !== 'modifiedBy' && fields.includes(key),
  );
  const writes = realChanges.length > 0;
  if (!writes && !instance.changed('modifiedBy')) {
    skipWrite(instance, options);
    return;
  }

  const actorId = resolveActorId(options, name);
  if (instance.changed('modifiedBy')) {
    refuseForeignValue(name, 'modifiedBy', instance.get('modifiedBy'), actorId);
    if (!writes) {
      // Only modifiedBy differs: no real change, so no UPDATE at all.
      instance.setDataValue('modifiedBy', instance.previous('modifiedBy') ?? null);
      instance.changed('modifiedBy', false);
      skipWrite(instance, options);
      return;
    }
  }
  instance.set('modifiedBy', actorId);
  // Listing it also clears its dirty flag after the save (the stale-dirty
  // trap), and names it in the SET list even when the same user edits again:
  // the database's audit trigger takes an UPDATE that does not name it for a
  // write from outside the app and clears the modifier (app/audit/trigger-sql.ts).
  addField(options.fields as string[] | undefined, 'modifiedBy');
}

/**
 * Makes `save()` send nothing: with no field left to write, Sequelize returns
 * before its UPDATE (otherwise another dirty attribute would still cause one,
 * setting the listed fields to their own values and a new updated_at). The
 * in-memory updated_at, which save() set to now beforehand, goes back too.
 */
function skipWrite(instance: AuditedInstance, options: CreateOptions): void {
  if (options.fields) options.fields = [];
  const { timestamps, updatedAt } = (instance.constructor as ModelStatic<Model>).options;
  if (timestamps === false || updatedAt === false) return;
  const attribute = typeof updatedAt === 'string' ? updatedAt : 'updatedAt';
  const previous = previousValues(instance);
  if (attribute in previous) {
    (instance.dataValues as Values)[attribute] = previous[attribute];
  }
}

function stampBulkCreate(
  model: AuditedModel,
  instances: AuditedInstance[],
  options: BulkCreateOptions,
): void {
  const actorId = resolveActorId(options, model.name);
  for (const instance of instances) {
    refuseForeignValue(model.name, 'createdBy', instance.get('createdBy'), actorId);
    refuseForeignValue(model.name, 'modifiedBy', instance.get('modifiedBy'), actorId);
    instance.set({ createdBy: actorId, modifiedBy: actorId });
  }
  const fields = options.fields as string[] | undefined;
  addField(fields, 'createdBy');
  addField(fields, 'modifiedBy');
  const onDuplicate = options.updateOnDuplicate as string[] | undefined;
  if (onDuplicate) {
    if (onDuplicate.includes('createdBy')) {
      throw new AuditFieldError(model.name, 'createdBy', 'an existing row keeps its creator');
    }
    addField(onDuplicate, 'modifiedBy');
  }
}

function stampBulkUpdate(
  model: AuditedModel,
  options: UpdateOptions & { attributes: Values },
): void {
  const values = options.attributes;
  const actorId = resolveActorId(options, model.name);
  if (values.createdBy !== undefined) {
    throw new AuditFieldError(model.name, 'createdBy', 'the creator is set once, on create');
  }
  refuseForeignValue(model.name, 'modifiedBy', values.modifiedBy, actorId);
  values.modifiedBy = actorId;
  // Without it in fields, Sequelize drops the value from the UPDATE.
  addField(options.fields as string[] | undefined, 'modifiedBy');
}

/**
 * upsert with the stamp in the values (beforeUpsert changes are ignored
 * upstream): both fields on insert, only modifiedBy on conflict.
 */
async function auditedUpsert(
  this: AuditedModel,
  values: Values,
  options: UpsertOptions = {},
): Promise<unknown> {
  const actorId = resolveActorId(options, this.name);
  refuseForeignValue(this.name, 'createdBy', values.createdBy, actorId);
  refuseForeignValue(this.name, 'modifiedBy', values.modifiedBy, actorId);
  if ((options.fields as string[] | undefined)?.includes('createdBy')) {
    throw new AuditFieldError(this.name, 'createdBy', 'an existing row keeps its creator');
  }
  const stamped: Values = { ...values, createdBy: actorId, modifiedBy: actorId };
  Object.defineProperty(stamped, STAMPED, { value: true });
  // The fields to update on conflict, as Sequelize would pick them, minus the creator.
  const fields = ((options.fields as string[] | undefined) ?? (this.build(stamped).changed() || []))
    .filter((field) => field !== 'createdBy')
    .concat('modifiedBy');
  const upsert = Model.upsert as unknown as (
    this: AuditedModel,
    values: Values,
    options: UpsertOptions,
  ) => Promise<unknown>;
  return upsert.call(this, stamped, { ...options, fields: [...new Set(fields)] as string[] });
}

/**
 * increment/decrement (which run no hooks) as one Model.update of
 * `column = column + n`, so the bulk update stamp applies. Returns
 * `[rows, count]` like Sequelize's increment with `returning`.
 */
async function auditedIncrement(
  this: AuditedModel,
  fields: string | string[] | Record<string, number>,
  options: IncrementDecrementOptionsWithBy & { increment?: boolean },
): Promise<[AuditedInstance[], number]> {
  // As upstream: no where, no write (update({}, { where: {} }) would touch every row).
  if (!options?.where) throw new Error('Missing where attribute in the options parameter');
  const sign = options.increment === false ? -1 : 1;
  const by = options.by ?? 1;
  const amounts: Record<string, number> =
    typeof fields === 'string' || Array.isArray(fields)
      ? Object.fromEntries([fields].flat().map((field) => [field, by]))
      : fields;
  const quote = (name: string) => this.sequelize!.getQueryInterface().quoteIdentifier(name);
  const values: Values = {};
  for (const [key, amount] of Object.entries(amounts)) {
    const attribute = Object.entries(this.getAttributes()).find(
      ([name, definition]) => name === key || definition.field === key,
    );
    if (!attribute) throw new Error(`${this.name} has no attribute ${key} to increment`);
    const [name, definition] = attribute;
    if (name === 'createdBy' || name === 'modifiedBy') {
      throw new AuditFieldError(this.name, name, 'audit fields are not counters');
    }
    if (!Number.isFinite(amount))
      throw new Error(`${this.name}.${name}: ${amount} is not a number`);
    const column = quote(definition.field ?? name);
    values[name] = this.sequelize!.literal(`${column} + ${sign * amount}`);
  }
  const { by: _by, increment: _increment, ...updateOptions } = options;
  const [count, rows] = await this.update(values, {
    ...updateOptions,
    where: options.where,
    returning: true,
    validate: false,
  });
  return [rows, count];
}
