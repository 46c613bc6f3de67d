import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { jsonClient } from '../../support/api-client';
import { campaignFixture, type CampaignFixture } from '../../support/campaign-fixture';
import { useTestDatabase } from '../../support/test-database';

// A player's edit racing the GM handing the character to another player, over
// a real port, many times at once. The permission check and the write must
// see the same row: a player's write may only land while the row is theirs.

const CHARACTERS = 30;
const ROUNDS = 4;

/**
 * Sends the player's request 0 to 9 ms after the GM's, by pair: the hand-over
 * then commits at every point of the player's request (before its check,
 * between its check and its write, after its write), which one fixed order
 * would not give.
 */
async function later<T>(pair: number, send: () => Promise<T>): Promise<T> {
  await new Promise((resolve) => setTimeout(resolve, pair % 10));
  return send();
}

describe('The edit race: a player editing a character the GM hands over', () => {
  const db = useTestDatabase('latest');
  let server: Server | undefined;
  let fixture: CampaignFixture;
  let call: ReturnType<typeof jsonClient>;

  beforeEach(async () => {
    fixture = await campaignFixture(db.current);
    server = fixture.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
    call = jsonClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    // Every write to a character, in the order the rows were written, with the
    // owner the row had when the write happened (a test-only trigger).
    await db.current.sequelize.query(`
      CREATE TABLE race_log (seq bigserial PRIMARY KEY, op text, character_id integer,
                             owner_before integer, owner_after integer, modified_by integer);
      CREATE FUNCTION race_log() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO race_log (op, character_id, owner_before, owner_after, modified_by)
        VALUES (TG_OP, OLD.id, OLD.player_owner_id,
                CASE WHEN TG_OP = 'UPDATE' THEN NEW.player_owner_id END,
                CASE WHEN TG_OP = 'UPDATE' THEN NEW.modified_by END);
        RETURN NULL;
      END $$;
      CREATE TRIGGER race_log AFTER UPDATE OR DELETE ON characters
        FOR EACH ROW EXECUTE FUNCTION race_log();`);
  });
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  /** Characters of the player, created by the GM. */
  async function playersCharacters(round: number): Promise<number[]> {
    const created = await Promise.all(
      Array.from({ length: CHARACTERS }, (_, i) =>
        call(
          'POST',
          '/api/characters',
          {
            campaignId: fixture.campaignId,
            name: `Hero ${round}-${i}`,
            playerOwnerId: fixture.player.id,
          },
          fixture.gm.token,
        ),
      ),
    );
    expect(created.map((r) => r.status)).to.deep.equal(created.map(() => 201));
    return created.map((r) => r.body.id as number);
  }

  /** The player's writes that landed on a row no longer theirs, by a fresh query. */
  async function playerWritesAfterHandOver(): Promise<unknown[]> {
    return db.current.sequelize.query(
      `SELECT * FROM race_log
        WHERE (op = 'UPDATE' AND modified_by = :player AND owner_before <> :player)`,
      { replacements: { player: fixture.player.id }, type: QueryTypes.SELECT },
    );
  }

  it(`when a player's PATCH races the GM's hand-over (${CHARACTERS} characters x ${ROUNDS} rounds), the PATCH never lands after the hand-over and is refused with 403 when it comes second`, async function () {
    this.timeout(120_000);
    for (let round = 0; round < ROUNDS; round += 1) {
      const ids = await playersCharacters(round);
      const results = await Promise.all(
        ids.map(async (id, i) => {
          const patch = () =>
            call(
              'PATCH',
              `/api/characters/${id}`,
              { description: `edited by the player in round ${round}` },
              fixture.player.token,
            );
          const handOver = () =>
            call(
              'PATCH',
              `/api/characters/${id}`,
              { playerOwnerId: fixture.otherPlayer.id },
              fixture.gm.token,
            );
          const [player, gm] = await Promise.all([later(i, patch), handOver()]);
          return { id, player: player!.status, gm: gm!.status };
        }),
      );
      expect(results.map((r) => r.gm)).to.deep.equal(results.map(() => 200));
      expect(results.every((r) => r.player === 200 || r.player === 403)).to.equal(true);

      const rows = await db.current.sequelize.query<{
        id: number;
        description: string;
        player_owner_id: number;
      }>('SELECT id, description, player_owner_id FROM characters WHERE id IN (:ids)', {
        replacements: { ids },
        type: QueryTypes.SELECT,
      });
      for (const row of rows) {
        const result = results.find((r) => r.id === row.id)!;
        expect(row.player_owner_id).to.equal(fixture.otherPlayer.id);
        // A refused PATCH changed nothing; an accepted one is in the row.
        expect(row.description !== '', `character ${row.id}`).to.equal(result.player === 200);
      }
    }
    expect(await playerWritesAfterHandOver()).to.deep.equal([]);
  });

  it(`when a player's DELETE races the GM's hand-over (${CHARACTERS} characters x ${ROUNDS} rounds), a character handed over is never deleted by the player`, async function () {
    this.timeout(120_000);
    for (let round = 0; round < ROUNDS; round += 1) {
      const ids = await playersCharacters(round);
      const results = await Promise.all(
        ids.map(async (id, i) => {
          const remove = () =>
            call('DELETE', `/api/characters/${id}`, undefined, fixture.player.token);
          const handOver = () =>
            call(
              'PATCH',
              `/api/characters/${id}`,
              { playerOwnerId: fixture.otherPlayer.id },
              fixture.gm.token,
            );
          const [player, gm] = await Promise.all([later(i, remove), handOver()]);
          return { id, player: player!.status, gm: gm!.status };
        }),
      );
      const rows = await db.current.sequelize.query<{ id: number; player_owner_id: number }>(
        'SELECT id, player_owner_id FROM characters WHERE id IN (:ids)',
        { replacements: { ids }, type: QueryTypes.SELECT },
      );
      const left = new Map(rows.map((row) => [row.id, row.player_owner_id]));
      for (const result of results) {
        // Either the player deleted it first (the hand-over then finds nothing),
        // or the hand-over came first and the player's DELETE is refused.
        if (result.gm === 200) {
          expect(result.player, `character ${result.id}`).to.equal(403);
          expect(left.get(result.id)).to.equal(fixture.otherPlayer.id);
        } else {
          expect([result.player, result.gm]).to.deep.equal([204, 404]);
          expect(left.has(result.id)).to.equal(false);
        }
      }
    }
    const deletedAfterHandOver = await db.current.sequelize.query(
      `SELECT * FROM race_log WHERE op = 'DELETE' AND owner_before <> :player`,
      { replacements: { player: fixture.player.id }, type: QueryTypes.SELECT },
    );
    expect(deletedAfterHandOver).to.deep.equal([]);
  });
});
