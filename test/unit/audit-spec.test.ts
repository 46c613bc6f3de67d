import { expect } from 'chai';
import {
  auditMigrations,
  auditMigrationsOf,
  AUDITED_TABLES,
  isAuditMigration,
} from '../../app/audit/audit-spec';
import { historyMigrations } from '../../app/history/history-spec';
import { listMigrationFiles, migrationMeta, MIGRATIONS_DIR } from '../../app/db/migration-files';
import type { AuditStep, MigrationKind } from '../../app/db/migration-meta';

/** What each step of a table's audit is, as its migration must declare it. */
const TABLE_STEPS: Partial<Record<AuditStep, MigrationKind>> = {
  capture: 'schema',
  columns: 'schema',
  triggers: 'schema',
  backfill: 'backfill',
  keys: 'key',
  indexes: 'index',
  clearing: 'backfill',
};

describe('The registry and the migrations that declare their audit step', () => {
  const onDisk = listMigrationFiles(MIGRATIONS_DIR);

  it('when the audit migrations are read from the files, they apply in file order and the history comes first', () => {
    const audit = auditMigrations();
    expect(onDisk).to.include.members(audit);
    expect(audit).to.deep.equal([...audit].sort());
    expect(audit.slice(0, historyMigrations().length)).to.deep.equal(historyMigrations());
    expect(audit[0]).to.equal('20261124090000-create-history-entries.ts');
  });

  it('when every declared table is looked up, each has one migration per step, declaring its table and the kind of that step', () => {
    for (const spec of AUDITED_TABLES) {
      const steps = auditMigrationsOf(spec.table);
      for (const [step, kind] of Object.entries(TABLE_STEPS)) {
        const name = steps[step as AuditStep];
        expect(name, `${spec.table} ${step}`).to.be.a('string');
        expect(migrationMeta(name!).kind, name).to.equal(kind);
      }
    }
  });

  it("when the audit migrations are gathered, besides the tables' own and the history's there are only the shared backfill log and cleared-modifiers tables", () => {
    const perTable = new Set(
      AUDITED_TABLES.flatMap((s) => Object.values(auditMigrationsOf(s.table))),
    );
    const shared = auditMigrations().filter(
      (name) => !perTable.has(name) && !historyMigrations().includes(name),
    );
    expect(shared.map((name) => migrationMeta(name).table)).to.deep.equal([
      'audit_backfill_log',
      'audit_cleared_modifiers',
    ]);
  });

  it('when a migration is not part of the audit (rate limits, invitations, the username index), the audit rollback does not count it as one', () => {
    for (const name of [
      '20261129300000-create-rate-limits.ts',
      '20261129300100-create-campaign-invitations.ts',
      '20261129300200-index-users-username-case-insensitively.ts',
      '20261129500000-index-history-by-kind.ts',
    ]) {
      expect(onDisk, name).to.include(name);
      expect(isAuditMigration(name), name).to.equal(false);
    }
  });

  it('when a table adds a column, it gets a key to users; a column that existed keeps its own', () => {
    const keys = Object.fromEntries(
      AUDITED_TABLES.map((s) => [s.table, s.foreignKeys.map((k) => k.name)]),
    );
    expect(keys).to.deep.equal({
      characters: ['characters_created_by_fkey', 'characters_modified_by_fkey'],
      items: ['items_modified_by_fkey'],
      locations: ['locations_modified_by_fkey'],
      campaigns: ['campaigns_created_by_fkey', 'campaigns_modified_by_fkey'],
    });
  });
});
