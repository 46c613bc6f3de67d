import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { runAs, runInContext } from '../../app/context';
import { Item } from '../../models';
import { createAuditFixture, type AuditFixture } from '../support/audit-fixtures';
import { historyOf } from '../support/history';
import { useTestDatabase } from '../support/test-database';

/*
 * How a write outside any transaction tells the capture who is writing: a
 * save (one INSERT or UPDATE) sends the settings in its own round trip, with
 * no transaction around it; the settings last for that statement only.
 */
describe('History context: a save outside a transaction', () => {
  const db = useTestDatabase('latest');
  let fixture: AuditFixture;
  let writer: number;

  beforeEach(async () => {
    fixture = await createAuditFixture(db.current.sequelize, 2);
    writer = fixture.users[1]!;
  });

  /** Runs `write` as the writer of a request, and the SQL it sent, one string per round trip. */
  async function sent<T>(write: (logging: (sql: string) => void) => Promise<T>) {
    const statements: string[] = [];
    const result = await runInContext(
      { actor: { userId: writer }, requestId: 'req-one-trip', source: 'http' },
      () => write((sql) => statements.push(sql)),
    );
    return { result, statements };
  }

  it('when an item is created, one round trip carries the settings and the INSERT, no transaction is opened, and its entry names the writer, request and source', async () => {
    const { result: item, statements } = await sent((logging) =>
      Item.create({ campaignId: fixture.campaignId, name: "O'Brien's lamp" }, { logging }),
    );

    expect(statements).to.have.length(1);
    expect(statements[0]).to.match(/SET LOCAL gma\.actor_id = '\d+'; .*INSERT INTO "items"/s);
    expect(statements.join('\n')).to.not.include('START TRANSACTION');
    const [entry] = await historyOf(db.current.sequelize, 'items', item.id);
    expect(entry).to.include({
      action: 'create',
      actor_id: writer,
      request_id: 'req-one-trip',
      source: 'http',
    });
    // Values go into the statement escaped, not as parameters: a quote stays a quote.
    const [stored] = await db.current.sequelize.query<{ name: string }>(
      'SELECT name FROM items WHERE id = $1',
      { bind: [item.id], type: QueryTypes.SELECT },
    );
    expect(stored!.name).to.equal("O'Brien's lamp");
  });

  it('when an item is saved with a change, one round trip carries the settings and the UPDATE, and its entry names the writer', async () => {
    const item = await runAs(writer, () =>
      Item.create({ campaignId: fixture.campaignId, name: 'Rope' }),
    );
    item.set('description', 'fifty feet');
    const { statements } = await sent((logging) => item.save({ logging }));

    expect(statements).to.have.length(1);
    expect(statements[0]).to.match(/SET LOCAL gma\.source = 'http'; UPDATE "items"/);
    const [entry] = await historyOf(db.current.sequelize, 'items', item.id);
    expect(entry).to.include({ action: 'update', actor_id: writer });
    expect(entry!.changes.description).to.deep.equal({ from: '', to: 'fifty feet' });
  });

  it('when one save succeeds and another fails, the failure is the statement’s own error, and no pooled connection keeps a setting afterwards', async () => {
    await sent((logging) =>
      Item.create({ campaignId: fixture.campaignId, name: 'Compass' }, { logging }),
    );
    const failure = await sent((logging) =>
      Item.create({ campaignId: 999_999, name: 'Nowhere' }, { logging }),
    ).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.name).to.equal('SequelizeForeignKeyConstraintError');
    // As many reads at once as the pool holds connections, each held 50 ms: each takes its own.
    const pool = db.current.sequelize.connectionManager as unknown as {
      pool: { size: number };
    };
    const seen = await Promise.all(
      Array.from({ length: Math.max(1, pool.pool.size) }, () =>
        db.current.sequelize.query<{ actor: string | null }>(
          `SELECT current_setting('gma.actor_id', true) AS actor, pg_sleep(0.05)`,
          { type: QueryTypes.SELECT },
        ),
      ),
    );
    for (const [row] of seen) expect(row!.actor ?? '').to.equal('');
  });
});
