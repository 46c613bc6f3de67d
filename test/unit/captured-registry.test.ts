import { expect } from 'chai';
import { AUDITED_TABLE_NAMES, auditMigrations } from '../../app/audit/audit-spec';
import { migrationCatalog } from '../../app/db/migration-files';
import {
  captureMigrationOf,
  HISTORY_TABLES,
  historyMigrations,
} from '../../app/history/history-spec';
import { CAPTURED_ONLY, CAPTURED_TABLES, TABLES } from '../../app/registry';

// Tables the history captures without auditing them (memberships,
// invitations) are declared once, in CAPTURED_ONLY: their kind, capture
// migration and checks follow from it, and nothing of the audit sees them.
describe('The registry of captured tables', () => {
  it('when the captured tables are listed, they are the audited ones then those captured only, and the history reads exactly these', () => {
    expect(CAPTURED_TABLES.map((t) => t.table)).to.deep.equal([
      ...TABLES.map((t) => t.table),
      'campaign_memberships',
      'campaign_invitations',
    ]);
    expect(HISTORY_TABLES.map((t) => [t.table, t.kind])).to.deep.equal(
      CAPTURED_TABLES.map((t) => [t.table, t.kind]),
    );
  });

  it('when a table is captured only, it is not audited: not in TABLES, no audit migration names it', () => {
    const audited = new Set(auditMigrations());
    for (const { table } of CAPTURED_ONLY) {
      expect(AUDITED_TABLE_NAMES, table).to.not.include(table);
      const names = migrationCatalog()
        .filter((entry) => entry.meta.table === table && audited.has(entry.name))
        .map((entry) => entry.name);
      expect(names, table).to.deep.equal([]);
    }
  });

  it('when each captured-only table’s capture migration is looked up, there is exactly one, declaring its table, a schema change and history capture, after the history’s own', () => {
    const lastHistory = historyMigrations().at(-1)!;
    for (const { table } of CAPTURED_ONLY) {
      const captures = migrationCatalog().filter(
        (entry) => entry.meta.table === table && entry.meta.history === 'capture',
      );
      expect(
        captures.map((c) => c.name),
        table,
      ).to.deep.equal([captureMigrationOf(table)]);
      expect(captures[0]!.meta).to.include({ kind: 'schema', transactional: true });
      expect(captures[0]!.meta.audit, table).to.equal(undefined);
      expect(captures[0]!.name > lastHistory, table).to.equal(true);
    }
  });

  it('when an audited table’s capture migration is looked up, it is its audit step capture', () => {
    expect(captureMigrationOf('items')).to.equal('20261124090400-capture-history-of-items.ts');
  });
});
