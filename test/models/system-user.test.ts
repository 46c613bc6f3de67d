import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { migrateDown, migrateUp } from '../../app/db/migration-runner';
import { Item, User } from '../../models';
import { runAsSystem, systemUserId, SystemUserMissingError } from '../../models/system-user';
import { createAuditFixture, storedAudit } from '../support/audit-fixtures';
import { useTestDatabase } from '../support/test-database';

const MIGRATION = '20261120000000-create-system-user.ts';

describe('The system user', () => {
  describe('on a migrated database', () => {
    const db = useTestDatabase('latest');

    async function systemRow() {
      const [row] = await db.current.sequelize.query<{
        id: number;
        is_active: boolean;
        password_hash: string;
      }>("SELECT id, is_active, password_hash FROM users WHERE username = 'system'", {
        type: QueryTypes.SELECT,
      });
      return row;
    }

    it('when looked up, then it is the inactive user named system, found once per Sequelize instance', async () => {
      const row = await systemRow();
      expect(row).to.include({ is_active: false, password_hash: '!' });
      const first = systemUserId(db.current.sequelize);
      expect(systemUserId(db.current.sequelize)).to.equal(first);
      expect(await first).to.equal(row!.id);
    });

    it('when someone deletes it, with SQL or through the model, then PostgreSQL refuses with a clear message', async () => {
      const { id } = (await systemRow())!;
      for (const attempt of [
        () =>
          db.current.sequelize.query('DELETE FROM users WHERE id = :id', { replacements: { id } }),
        () => User.destroy({ where: { id } }),
      ]) {
        let error: unknown;
        await attempt().catch((e: unknown) => (error = e));
        expect((error as Error)?.message).to.match(/system user .* cannot be deleted/);
      }
      expect(await systemRow()).to.include({ id });
    });

    it('when someone renames it, activates it or sets a password, then PostgreSQL refuses', async () => {
      for (const change of ["username = 'root'", 'is_active = true', "password_hash = 'known'"]) {
        let error: unknown;
        await db.current.sequelize
          .query(`UPDATE users SET ${change} WHERE username = 'system'`)
          .catch((e: unknown) => (error = e));
        expect((error as Error)?.message, change).to.match(/keeps its username, password/);
      }
      expect(await systemRow()).to.include({ is_active: false, password_hash: '!' });
    });

    it('when other users are deleted or edited, then the guard does not get in the way', async () => {
      const { users } = await createAuditFixture(db.current.sequelize, 2);
      await db.current.sequelize.query("UPDATE users SET display_name = 'Edited'");
      await User.destroy({ where: { id: users } });
      const [row] = await db.current.sequelize.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM users',
        { type: QueryTypes.SELECT },
      );
      expect(row!.n).to.equal(1);
    });

    it('when a job writes through runAsSystem, then the row is stamped with the system user', async () => {
      const { campaignId } = await createAuditFixture(db.current.sequelize, 1);
      const item = await runAsSystem(db.current.sequelize, () =>
        Item.create({ name: 'Found object', campaignId }),
      );
      const id = await systemUserId(db.current.sequelize);
      expect(await storedAudit(db.current.sequelize, 'items', item.id)).to.deep.equal({
        created_by: id,
        modified_by: id,
      });
    });
  });

  describe('its migration', () => {
    const db = useTestDatabase('empty');

    async function systemUsers(): Promise<number> {
      const [row] = await db.current.sequelize.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM users WHERE username = 'system'",
        { type: QueryTypes.SELECT },
      );
      return row!.n;
    }

    async function systemUserRow(): Promise<string | undefined> {
      const [row] = await db.current.sequelize.query<{ row: string }>(
        "SELECT u::text AS row FROM users u WHERE username = 'system'",
        { type: QueryTypes.SELECT },
      );
      return row?.row;
    }

    it('when reverted, then the user and its guard are gone; applied again, the same row and guard are back', async () => {
      const { sequelize, url } = db.current;
      await migrateUp(sequelize, url, { to: MIGRATION });
      expect(await systemUsers()).to.equal(1);
      const first = await systemUserRow();

      await migrateDown(sequelize, url, { to: MIGRATION });
      expect(await systemUsers()).to.equal(0);
      let lookup: unknown;
      await systemUserId(sequelize).catch((e: unknown) => (lookup = e));
      expect(lookup).to.be.instanceOf(SystemUserMissingError);
      // No guard left: a user of that name can come and go freely.
      await sequelize.query(
        "INSERT INTO users (username, password_hash, created_at, updated_at) VALUES ('system', 'x', now(), now())",
      );
      await sequelize.query("DELETE FROM users WHERE username = 'system'");

      await migrateUp(sequelize, url, { to: MIGRATION });
      // The id comes from the sequence; everything else is identical to the first run.
      const strip = (row: string | undefined) => row?.replace(/^\(\d+,/, '(');
      expect(strip(await systemUserRow())).to.equal(strip(first));
      expect(await systemUserId(sequelize)).to.be.a('number');
      let guard: unknown;
      await sequelize
        .query("DELETE FROM users WHERE username = 'system'")
        .catch((e: unknown) => (guard = e));
      expect(String(guard)).to.match(/cannot be deleted/);
    });

    it('when a real account is already named system, then the migration stops, says what to do, and changes nothing', async () => {
      const { sequelize, url } = db.current;
      await migrateUp(sequelize, url, { to: '20260101000600-create-locations.ts' });
      await sequelize.query(
        "INSERT INTO users (username, password_hash, created_at, updated_at) VALUES ('system', 'secret', now(), now())",
      );

      let error: unknown;
      await migrateUp(sequelize, url, { to: MIGRATION }).catch((e: unknown) => (error = e));

      expect(String(error)).to.match(/already exists .* rename that account/);
      expect(await systemUsers()).to.equal(1);
      const [trigger] = await sequelize.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_trigger WHERE tgname = 'users_protect_system_user'",
        { type: QueryTypes.SELECT },
      );
      expect(trigger!.n).to.equal(0);
    });
  });
});
