import { expect } from 'chai';
import pg from 'pg';
import request from 'supertest';
import { campaignFixture, type CampaignFixture } from '../../support/campaign-fixture';
import { TAGGED_KINDS, storedRow } from '../../support/tagged-resources';
import { useTestDatabase } from '../../support/test-database';

// Two writes carrying the same ETag must not both win. The order is set by
// hand, not left to timing: another transaction holds the row, both requests
// are sent and wait behind it, then the holder lets go. Only an If-Match
// checked after the row lock, in the transaction of the write, sees the
// first write when the second gets the row; a check made before the lock
// lets both through (a lost update).

describe('Two conditional writes with the same ETag, waiting on the same row', () => {
  const db = useTestDatabase('latest');
  let f: CampaignFixture;
  let holder: pg.Client;

  beforeEach(async () => {
    f = await campaignFixture(db.current);
    holder = new pg.Client({ connectionString: db.current.directUrl });
    // The database is dropped (its sessions ended) after each test.
    holder.on('error', () => undefined);
    await holder.connect();
  });
  afterEach(() => holder.end().catch(() => undefined));

  /** Resolves once `count` other sessions of this database wait on a lock. */
  async function untilWaiting(count: number): Promise<void> {
    for (let i = 0; i < 400; i++) {
      const { rows } = await holder.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND datname = current_database()
            AND pid <> pg_backend_pid()`,
      );
      if (rows[0]!.n >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`fewer than ${count} requests ever waited for the held row`);
  }

  /** Holds `table` row `id` while every request is sent and waits, then lets go; their answers. */
  async function behindHeldRow(
    table: string,
    id: number,
    requests: Array<() => request.Test>,
  ): Promise<request.Response[]> {
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM ${table} WHERE id = $1 FOR UPDATE`, [id]);
    const answers = Promise.all(requests.map((send) => send().then((res) => res)));
    await untilWaiting(requests.length);
    await holder.query('COMMIT');
    return answers;
  }

  for (const { collection, create } of TAGGED_KINDS) {
    it(`when two PATCHes of one of the ${collection} send the same ETag, exactly one answers 200 and the other 412, and the row holds the winner's change`, async () => {
      const created = await create(f, 'Before');
      expect(created.status).to.equal(201);
      const id = created.body.id as number;
      const etag = created.headers.etag!;
      const patch = (name: string) => () =>
        request(f.app)
          .patch(`/api/${collection}/${id}`)
          .set('Authorization', f.owner.auth)
          .set('If-Match', etag)
          .send({ name });

      const answers = await behindHeldRow(collection, id, [patch('Tablet'), patch('Laptop')]);

      const statuses = answers.map((res) => res.status);
      expect([...statuses].sort(), JSON.stringify(answers.map((r) => r.body))).to.deep.equal([
        200, 412,
      ]);
      const winner = answers.find((res) => res.status === 200)!;
      const loser = answers.find((res) => res.status === 412)!;
      expect(loser.body.error.code).to.equal('precondition_failed');
      expect((await storedRow(db.current, collection, id))!.name).to.equal(winner.body.name);
    });
  }

  it('when a PATCH and a DELETE of a character send the same ETag, exactly one wins: the row is either changed or gone, never both', async () => {
    const created = await TAGGED_KINDS.find((k) => k.collection === 'characters')!.create(
      f,
      'Before',
    );
    const id = created.body.id as number;
    const path = `/api/characters/${id}`;
    const etag = created.headers.etag!;

    const [patched, deleted] = await behindHeldRow('characters', id, [
      () =>
        request(f.app)
          .patch(path)
          .set('Authorization', f.owner.auth)
          .set('If-Match', etag)
          .send({ name: 'Changed' }),
      () => request(f.app).delete(path).set('Authorization', f.owner.auth).set('If-Match', etag),
    ]);

    const row = await storedRow(db.current, 'characters', id);
    if (patched!.status === 200) {
      expect(deleted!.status).to.equal(412);
      expect(row!.name).to.equal('Changed');
    } else {
      expect([patched!.status, deleted!.status]).to.deep.equal([404, 204]);
      expect(row).to.equal(undefined);
    }
  });
});
