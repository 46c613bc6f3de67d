import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrationStatus } from '../../app/db/migration-runner';
import { AUDIT_TOUCHED_TABLES as BACKUP_TABLES } from '../../app/audit/audit-spec';
import { createBackup } from '../../app/ops/backup/create-backup';
import { readManifest } from '../../app/ops/backup/manifest';
import { restoreBackup } from '../../app/ops/backup/restore-backup';
import { fillTables, tableFingerprint } from '../support/fill-tables';
import { appCommand } from '../support/run-command';
import { createTestDatabase, useTestDatabase, type TestDatabase } from '../support/test-database';

async function fingerprints(db: TestDatabase): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const table of BACKUP_TABLES) result[table] = await tableFingerprint(db.sequelize, table);
  return result;
}

describe('db:backup and db:restore', () => {
  const source = useTestDatabase('latest');
  let target: TestDatabase | undefined;
  let folder: string;

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-backup-test-'));
  });
  afterEach(async () => {
    await target?.drop();
    target = undefined;
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('when a backup is restored into an empty database, every table has the same fingerprint and the same migrations are applied', async () => {
    const counts = await fillTables(source.current.sequelize, 300);
    const dir = path.join(folder, 'b1');
    const manifest = await createBackup(source.current.url, { dir });
    expect(manifest.tables.find((t) => t.table === 'characters')?.rows).to.equal(counts.characters);

    target = await createTestDatabase('empty');
    await restoreBackup(target.url, { dir });

    expect(await fingerprints(target)).to.deep.equal(await fingerprints(source.current));
    expect((await migrationStatus(target.sequelize)).executed).to.deep.equal(
      (await migrationStatus(source.current.sequelize)).executed,
    );
  });

  it('when a row is inserted after a restore, its id does not collide with restored ids', async () => {
    await fillTables(source.current.sequelize, 50);
    const dir = path.join(folder, 'b2');
    await createBackup(source.current.url, { dir });
    target = await createTestDatabase('empty');
    await restoreBackup(target.url, { dir });

    const [inserted] = await target.sequelize.query(
      `INSERT INTO users (username, password_hash, created_at, updated_at)
       VALUES ('new', 'x', now(), now()) RETURNING id`,
    );
    const [max] = await source.current.sequelize.query(`SELECT max(id) AS max FROM users`);
    expect((inserted as Array<{ id: number }>)[0]!.id).to.equal(
      (max as Array<{ max: number }>)[0]!.max + 1,
    );
  });

  it('when a backup file is damaged, the restore fails naming the file and loads no row', async () => {
    await fillTables(source.current.sequelize, 50);
    const dir = path.join(folder, 'b3');
    await createBackup(source.current.url, { dir });
    const file = path.join(dir, 'items.copy');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('item 7', 'item 8'));
    target = await createTestDatabase('empty');

    let failure: Error | undefined;
    await restoreBackup(target.url, { dir }).catch((error: Error) => (failure = error));
    expect(failure?.message).to.include('items.copy');
    // As freshly migrated: whatever the migrations seed, and nothing from the backup.
    const fresh = await createTestDatabase('latest');
    try {
      expect(await fingerprints(target)).to.deep.equal(await fingerprints(fresh));
    } finally {
      await fresh.drop();
    }
  });

  it('when the target already holds rows, the restore refuses and changes nothing', async () => {
    await fillTables(source.current.sequelize, 20);
    const dir = path.join(folder, 'b4');
    await createBackup(source.current.url, { dir });
    target = await createTestDatabase('latest');
    await fillTables(target.sequelize, 5);
    const before = await fingerprints(target);

    let failure: Error | undefined;
    await restoreBackup(target.url, { dir }).catch((error: Error) => (failure = error));
    expect(failure?.message).to.match(/users.*already holds rows/);
    expect(await fingerprints(target)).to.deep.equal(before);
  });

  it('when run as commands, db:backup writes a manifest and db:restore loads it into another database', async () => {
    await fillTables(source.current.sequelize, 30);
    const dir = path.join(folder, 'b5');
    const backup = await appCommand('app/cli/backup.ts', source.current.url, '--out', dir);
    expect(backup.code, backup.stderr).to.equal(0);
    expect(readManifest(dir).tables.map((t) => t.table)).to.deep.equal([...BACKUP_TABLES]);

    target = await createTestDatabase('empty');
    const restore = await appCommand('app/cli/restore.ts', target.url, '--from', dir);
    expect(restore.code, restore.stderr).to.equal(0);
    expect(await fingerprints(target)).to.deep.equal(await fingerprints(source.current));

    const again = await appCommand('app/cli/restore.ts', target.url, '--from', dir);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include('already holds rows');
    expect(again.stderr).to.not.match(/\n\s+at /, 'no stack trace');
  });

  it('when db:restore is given no --from, it exits 2 and points to --help', async () => {
    const result = await appCommand('app/cli/restore.ts', source.current.url);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include('--from');
  });
});
