import { MIGRATIONS_DIR, listMigrationFiles } from '../app/db/migration-files';
import { migrateDown, migrateUp } from '../app/db/migration-runner';
import { dataWithoutDrawnIds, schemaFingerprint } from './support/fingerprint';
import { createTestDatabase } from './support/test-database';
import { databaseBeforeMigration } from './safety/audit-database';
const ALL = listMigrationFiles(MIGRATIONS_DIR);
describe('prof', function () {
  this.timeout(300000);
  it('phases', async () => {
    for (const name of ['20261129400100-clear-unattributed-modifiers-of-characters.ts', '20261129400200-clear-unattributed-modifiers-of-items.ts']) {
      const index = ALL.indexOf(name);
      let t = Date.now();
      const lap = (what: string) => { console.log(name.slice(15, 45), what, Date.now() - t); t = Date.now(); };
      const base = await databaseBeforeMigration(index, 200); lap('base');
      const up = await createTestDatabase({ database: base.name }); lap('clone');
      await migrateUp(up.sequelize, up.url, { to: name }); lap('up');
      await schemaFingerprint(up.sequelize); lap('schema');
      await dataWithoutDrawnIds(up.sequelize, ['public', 'audit_archive']); lap('data');
      await migrateDown(up.sequelize, up.url, { step: 1 }); lap('down');
      await up.drop(); await base.drop(); lap('drops');
    }
  });
});
