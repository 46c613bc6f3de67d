import { expect } from 'chai';
import { DataTypes, Model, Sequelize, type ModelStatic } from 'sequelize';
import { AUDITED_MODELS, Character, Item, initModels } from '../../models';
import { TABLES } from '../../app/registry';
import { applyAudit } from '../../models/mixins/audited';

describe('Audit mixin definition', () => {
  // Binding needs no connection; the models go back to their instance afterwards.
  const unconnected = new Sequelize('postgres://nobody@127.0.0.1:1/none', { logging: false });
  let previous: Sequelize | undefined;
  beforeEach(() => (previous = Character.sequelize));
  afterEach(() => {
    if (previous) initModels(previous);
  });
  after(() => unconnected.close());

  it('when every declared table is bound, its model maps that table and has its own audit attributes, columns and associations', () => {
    initModels(unconnected);
    for (const { kind, table } of TABLES) {
      const model = AUDITED_MODELS[kind] as unknown as ModelStatic<Model>;
      expect(model.getTableName(), kind).to.equal(table);
      // Sequelize records the owning model on each definition (untyped).
      const attributes = model.getAttributes() as Record<
        string,
        { Model?: unknown; field?: string }
      >;
      expect(attributes.createdBy!.Model, model.name).to.equal(model);
      expect(attributes.modifiedBy!.Model, model.name).to.equal(model);
      expect(attributes.createdBy!.field).to.equal('created_by');
      expect(attributes.modifiedBy!.field).to.equal('modified_by');
      expect(Object.keys(model.associations)).to.include.members([
        'createdByUser',
        'modifiedByUser',
      ]);
      expect(model.associations).to.not.have.property('creator');
    }
    expect(Character.associations).to.have.property('playerOwner');
  });

  it('when models are bound again, the audit hooks are registered once, not twice', () => {
    initModels(unconnected);
    initModels(unconnected);
    const hooks = (Item as unknown as { options: { hooks: Record<string, unknown[]> } }).options
      .hooks;
    expect(hooks.beforeCreate).to.have.length(1);
    expect(hooks.beforeBulkUpdate).to.have.length(1);
  });

  it('when a model without the audit attributes is given to applyAudit, then it refuses at start-up', () => {
    class Plain extends Model {}
    Plain.init({ name: DataTypes.STRING }, { sequelize: unconnected, tableName: 'plain' });
    expect(() => applyAudit(Plain)).to.throw(/must spread auditAttributes\(\)/);
  });
});
