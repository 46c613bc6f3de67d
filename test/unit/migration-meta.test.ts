import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { listMigrationFiles, migrationMeta, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { AUDIT_STEPS } from '../../app/db/migration-meta';
import { readTranscripts } from '../../app/ops/release/record-store';

describe('Migration properties', () => {
  it('when any migration is loaded, it declares whether it is one transaction, its table and its kind', () => {
    for (const name of listMigrationFiles(MIGRATIONS_DIR)) {
      const meta = migrationMeta(name);
      expect(meta.transactional, name).to.be.a('boolean');
      expect(meta.table, name).to.match(/^[a-z_]+$/);
      expect(['schema', 'backfill', 'index', 'key'], name).to.include(meta.kind);
    }
  });

  it('when a migration file exports no properties and is not a released one, loading them fails naming it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-meta-'));
    try {
      const name = '29990101000000-create-nothing.ts';
      fs.writeFileSync(
        path.join(dir, name),
        'export async function up() {}\nexport async function down() {}\n',
      );
      expect(() => migrationMeta(name, dir)).to.throw(name);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when a migration says it is a step of the audit, the step is one the tools know', () => {
    for (const name of listMigrationFiles(MIGRATIONS_DIR)) {
      const { audit } = migrationMeta(name);
      if (audit !== undefined) expect(AUDIT_STEPS, name).to.include(audit);
    }
  });

  it('when a released down sends nothing and leaves the schema alone, its meta says so with a reason (down.none), and only then', () => {
    for (const { migration, down } of readTranscripts()) {
      const empty =
        down.statements.length === 0 &&
        down.schema.added.length === 0 &&
        down.schema.removed.length === 0 &&
        down.error === undefined;
      const declared = migrationMeta(migration).down;
      expect(
        declared !== undefined,
        `${migration}: down is empty, meta.down.none says why`,
      ).to.equal(empty);
      if (declared) expect(declared.none, migration).to.match(/\w{10,}/);
    }
  });

  it('when a migration is a backfill or a catch-up pass, it declares that it fills the audit columns, so the runner records what its up writes', () => {
    for (const name of listMigrationFiles(MIGRATIONS_DIR)) {
      const meta = migrationMeta(name);
      const filling = meta.audit === 'backfill' || meta.audit === 'catch-up';
      expect(meta.fills === 'audit-columns', name).to.equal(filling);
    }
  });
});
