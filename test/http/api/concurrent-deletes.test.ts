import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import request from 'supertest';
import { addMember, jsonClient, signUp } from '../../support/api-client';
import { campaignFixture, type CampaignFixture } from '../../support/campaign-fixture';
import { useTestDatabase } from '../../support/test-database';

const PARALLEL = 20;

interface Target {
  name: string;
  /** Makes the row; returns its DELETE path, its table and the id to count it by. */
  make(f: CampaignFixture): Promise<{ path: string; table: string; id: number }>;
}

async function created(f: CampaignFixture, kind: string): Promise<number> {
  const res = await request(f.app)
    .post(`/api/${kind}`)
    .set('Authorization', f.owner.auth)
    .send({ campaignId: f.campaignId, name: `A ${kind}` })
    .expect(201);
  return res.body.id as number;
}

const targets: Target[] = [
  {
    name: 'campaign',
    make: async (f) => ({
      path: `/api/campaigns/${f.campaignId}`,
      table: 'campaigns',
      id: f.campaignId,
    }),
  },
  ...(['characters', 'items', 'locations'] as const).map((kind): Target => ({
    name: kind.slice(0, -1),
    make: async (f) => {
      const id = await created(f, kind);
      return { path: `/api/${kind}/${id}`, table: kind, id };
    },
  })),
  {
    name: 'membership',
    make: async (f) => {
      const member = await signUp(f.app, 'leaver');
      await addMember(f.app, f.owner, f.campaignId, member, 'PLAYER');
      return {
        path: `/api/campaigns/${f.campaignId}/members/${member.id}`,
        table: 'campaign_memberships',
        id: member.id,
      };
    },
  },
  {
    name: 'invitation',
    make: async (f) => {
      const res = await request(f.app)
        .post(`/api/campaigns/${f.campaignId}/invitations`)
        .set('Authorization', f.owner.auth)
        .send({ username: f.outsider.username, role: 'PLAYER' })
        .expect(201);
      return {
        path: `/api/campaigns/${f.campaignId}/invitations/${res.body.id}`,
        table: 'campaign_invitations',
        id: res.body.id as number,
      };
    },
  },
];

describe('Concurrent deletes of one row over a real port', () => {
  const db = useTestDatabase('latest');

  for (const target of targets) {
    it(`when ${PARALLEL} deletes of one ${target.name} arrive at once, exactly one answers 204 and the rest 404`, async () => {
      const f = await campaignFixture(db.current);
      const { path, table, id } = await target.make(f);
      const server: Server = f.app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const call = jsonClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
        const responses = await Promise.all(
          Array.from({ length: PARALLEL }, () => call('DELETE', path, undefined, f.owner.token)),
        );
        const statuses = responses.map((r) => r.status).sort();
        expect(statuses, statuses.join(',')).to.deep.equal([
          204,
          ...Array<number>(PARALLEL - 1).fill(404),
        ]);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      const column = table === 'campaign_memberships' ? 'user_id' : 'id';
      const [[row]] = (await db.current.sequelize.query(
        `SELECT count(*)::int AS n FROM ${table} WHERE ${column} = $1`,
        { bind: [id] },
      )) as [Array<{ n: number }>, unknown];
      expect(row!.n).to.equal(0);
    });
  }
});
