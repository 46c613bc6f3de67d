import { expect } from 'chai';
import { AUDIT_MIGRATIONS, AUDITED_TABLES } from '../../app/audit/audit-spec';
import { HISTORY_MIGRATIONS } from '../../app/history/history-spec';
import { listMigrationFiles, migrationMeta, MIGRATIONS_DIR } from '../../app/db/migration-files';

describe('The audit specification', () => {
  const onDisk = listMigrationFiles(MIGRATIONS_DIR);
  const perTable = AUDITED_TABLES.flatMap((spec) => Object.values(spec.migrations) as string[]);

  it('when the audit migrations are listed, each exists, in the order the runner applies them', () => {
    expect(onDisk).to.include.members([...AUDIT_MIGRATIONS]);
    expect([...AUDIT_MIGRATIONS]).to.deep.equal([...AUDIT_MIGRATIONS].sort());
  });

  it("when the tables' own migrations are gathered, the list holds them all, and besides them only the history's, the shared backfill log and one clearing pass per table", () => {
    expect([...AUDIT_MIGRATIONS]).to.include.members(perTable);
    const shared = AUDIT_MIGRATIONS.filter(
      (name) => !perTable.includes(name) && !HISTORY_MIGRATIONS.includes(name),
    );
    expect(shared.map((name) => migrationMeta(name).table)).to.deep.equal([
      'audit_backfill_log',
      'audit_cleared_modifiers',
      ...AUDITED_TABLES.map((spec) => spec.table),
    ]);
    expect(AUDIT_MIGRATIONS.slice(0, HISTORY_MIGRATIONS.length)).to.deep.equal([
      ...HISTORY_MIGRATIONS,
    ]);
  });

  it('when a table names its migrations, each declares that table and the kind of its step', () => {
    const kinds = {
      columns: 'schema',
      triggers: 'schema',
      backfill: 'backfill',
      keys: 'key',
      indexes: 'index',
      catchUp: 'backfill',
    } as const;
    for (const spec of AUDITED_TABLES) {
      for (const [step, name] of Object.entries(spec.migrations) as [
        keyof typeof kinds,
        string,
      ][]) {
        const meta = migrationMeta(name);
        expect(meta.table, name).to.equal(spec.table);
        expect(meta.kind, name).to.equal(kinds[step]);
      }
    }
  });
});
