// What app/db/sequelize-internals.ts relies on, checked against the installed
// Sequelize without a database: an upgrade that changes any of it fails here,
// naming what changed, instead of silently dropping the history settings.
import fs from 'node:fs';
import { expect } from 'chai';
import { DataTypes, Sequelize, Transaction } from 'sequelize';
import {
  CHECKED_SEQUELIZE,
  GENERATOR_METHODS,
  aroundQuery,
  extendStartTransaction,
  inlineWriteValues,
  modelHooks,
  parentTransaction,
  previousValues,
  queryGenerator,
  queryInterfaceOver,
} from '../../app/db/sequelize-internals';

// Never connects: every check below only builds SQL or objects.
const unconnected = () =>
  new Sequelize('postgres://user:secret@127.0.0.1:1/none', { logging: false });

describe('Sequelize internals behind app/db/sequelize-internals.ts', () => {
  it(`when the installed Sequelize is not ${CHECKED_SEQUELIZE}.x, fails naming both versions`, () => {
    const manifest = fs.readFileSync(require.resolve('sequelize/package.json'), 'utf8');
    const installed = (JSON.parse(manifest) as { version: string }).version;
    const line = installed.split('.').slice(0, 2).join('.');
    expect(
      line,
      `Sequelize ${installed} is installed; app/db/sequelize-internals.ts was checked against ` +
        `${CHECKED_SEQUELIZE}.x. Read what changed, run these tests and the history tests, then set CHECKED_SEQUELIZE`,
    ).to.equal(CHECKED_SEQUELIZE);
  });

  it('when the query generator lacks a replaced method or its arity changed, fails naming it', () => {
    const generator = queryGenerator(unconnected());
    for (const [name, { arity }] of Object.entries(GENERATOR_METHODS)) {
      expect(generator[name], `queryGenerator.${name}`).to.be.a('function');
      expect(generator[name]!.length, `arity of queryGenerator.${name}`).to.equal(arity);
    }
  });

  it('when a transaction starts, the generator gives START TRANSACTION, and for a nested one a SAVEPOINT and its parent', () => {
    const sequelize = unconnected();
    const generator = queryGenerator(sequelize);
    const outer = new Transaction(sequelize, {});
    const inner = new Transaction(sequelize, { transaction: outer });
    expect(generator.startTransactionQuery!(outer)).to.equal('START TRANSACTION;');
    expect(generator.startTransactionQuery!(inner)).to.match(/^SAVEPOINT /);
    expect(parentTransaction(outer), 'a top-level transaction has no parent').to.equal(undefined);
    expect(parentTransaction(inner), 'transaction.parent of a savepoint').to.equal(outer);
  });

  it('when extendStartTransaction is applied, the extension is sent after START TRANSACTION', () => {
    const sequelize = unconnected();
    extendStartTransaction(sequelize, (sql) => `${sql} SET LOCAL x = 1;`);
    const sql = queryGenerator(sequelize).startTransactionQuery!(new Transaction(sequelize, {}));
    expect(sql).to.equal('START TRANSACTION; SET LOCAL x = 1;');
  });

  it('when an INSERT or UPDATE is generated with bindParam false, its values are inline; otherwise bound', () => {
    const generator = queryGenerator(unconnected());
    // insertQuery(table, values, attributes, options); updateQuery(table, values, where, options)
    expect(generator.insertQuery!('t', { a: 1 }, {}, {})).to.deep.equal({
      query: 'INSERT INTO "t" ("a") VALUES ($1);',
      bind: [1],
    });
    expect(generator.insertQuery!('t', { a: 1 }, {}, { bindParam: false })).to.deep.equal({
      query: 'INSERT INTO "t" ("a") VALUES (1);',
    });
    expect(generator.updateQuery!('t', { a: 1 }, { id: 2 }, { bindParam: false })).to.deep.equal({
      query: 'UPDATE "t" SET "a"=1 WHERE "id" = 2',
    });
  });

  it('when inlineWriteValues picks a write by its options, that write alone is generated inline', () => {
    const sequelize = unconnected();
    const marker = Symbol('inline');
    inlineWriteValues(sequelize, (options) => options[marker] === true);
    const generator = queryGenerator(sequelize);
    expect(generator.insertQuery!('t', { a: 1 }, {}, { [marker]: true })).to.not.have.property(
      'bind',
    );
    expect(
      generator.updateQuery!('t', { a: 1 }, { id: 2 }, { [marker]: true }),
    ).to.not.have.property('bind');
    expect(generator.insertQuery!('t', { a: 1 }, {}, {})).to.have.property('bind');
  });

  it('when aroundQuery replaces sequelize.query, every query goes through it with its options', async () => {
    const sequelize = unconnected();
    expect(sequelize.query.length, 'arity of sequelize.query(sql, options)').to.equal(2);
    const seen: unknown[] = [];
    aroundQuery(sequelize, (sql, options) => {
      seen.push([sql, options?.type]);
      return Promise.resolve([]);
    });
    await sequelize.query('SELECT 1', { type: 'SELECT' as never });
    expect(seen).to.deep.equal([['SELECT 1', 'SELECT']]);
  });

  it('when a model instance is loaded, it keeps its previous values (_previousDataValues) and the model its hooks', () => {
    const sequelize = unconnected();
    const Thing = sequelize.define('thing', { a: DataTypes.INTEGER });
    Thing.addHook('beforeSave', 'probe', () => {});
    const instance = Thing.build({ a: 1 }, { isNewRecord: false, raw: true });
    expect(previousValues(instance), 'instance._previousDataValues').to.include({ a: 1 });
    instance.set('a', 2);
    expect(previousValues(instance).a, 'previous value after a set').to.equal(1);
    expect(modelHooks(Thing).beforeSave, 'Model.options.hooks.beforeSave').to.have.length(1);
  });

  it('when the query interface is viewed over another instance, each of its methods queries through that one', async () => {
    const sequelize = unconnected();
    const sent: string[] = [];
    const recorder = Object.create(sequelize) as Sequelize;
    Object.defineProperty(recorder, 'query', {
      value: async (sql: unknown) => {
        sent.push(typeof sql === 'string' ? sql : (sql as { query: string }).query);
        return [[], 0];
      },
    });
    const queryInterface = queryInterfaceOver(sequelize.getQueryInterface(), recorder);
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['createTable', () => queryInterface.createTable('t', { id: { type: DataTypes.INTEGER } })],
      ['addColumn', () => queryInterface.addColumn('t', 'c', { type: DataTypes.INTEGER })],
      ['changeColumn', () => queryInterface.changeColumn('t', 'c', { type: DataTypes.BIGINT })],
      ['removeColumn', () => queryInterface.removeColumn('t', 'c')],
      ['addIndex', () => queryInterface.addIndex('t', ['c'])],
      ['removeIndex', () => queryInterface.removeIndex('t', 'i')],
      [
        'addConstraint',
        () => queryInterface.addConstraint('t', { type: 'unique', fields: ['c'], name: 'u' }),
      ],
      ['removeConstraint', () => queryInterface.removeConstraint('t', 'u')],
      ['bulkInsert', () => queryInterface.bulkInsert('t', [{ c: 1 }])],
      ['bulkUpdate', () => queryInterface.bulkUpdate('t', { c: 2 }, { c: 1 })],
      ['bulkDelete', () => queryInterface.bulkDelete('t', { c: 1 })],
      ['dropTable', () => queryInterface.dropTable('t')],
    ];
    for (const [name, call] of calls) {
      const before = sent.length;
      await call();
      expect(
        sent.length - before,
        `queryInterface.${name} queries through this.sequelize`,
      ).to.be.greaterThan(0);
    }
  });

  it('when Sequelize pools connections, its connectionManager lends and takes them back', () => {
    const manager = (unconnected() as unknown as { connectionManager: Record<string, unknown> })
      .connectionManager;
    expect(manager.getConnection, 'connectionManager.getConnection').to.be.a('function');
    expect(manager.releaseConnection, 'connectionManager.releaseConnection').to.be.a('function');
  });
});
