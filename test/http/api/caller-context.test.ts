import express, { type Express, type RequestHandler } from 'express';
import request from 'supertest';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { runAs } from '../../../app/context';
import { ApiRouter } from '../../../app/http/api/api-router';
import { authenticatedCaller, requireUser } from '../../../app/http/middleware/authenticate';
import { errorHandler } from '../../../app/http/middleware/error-handler';
import { requestContext } from '../../../app/http/middleware/request-context';
import { createLogger } from '../../../app/logger';
import type { AccountService, Caller } from '../../../app/services/account-service';
import { Item } from '../../../models';
import { createAuditFixture, type AuditFixture } from '../../support/audit-fixtures';
import { useTestDatabase } from '../../support/test-database';

const TOKEN = 'Bearer abcdefghijklmnopqrstuvwxyz';

/** The app's middleware order around one authed endpoint, with `handler` behind it. */
function appWith(
  authenticate: RequestHandler,
  handler: (caller: Caller) => Promise<unknown>,
): Express {
  const api = new ApiRouter(authenticate);
  api.authed(
    {
      method: 'post',
      operationId: 'probe',
      path: '/probe',
      summary: 'probe',
      tag: 'Test',
      status: 200,
      errors: [],
    },
    (_input, caller) => handler(caller),
  );
  const app = express();
  app.use(requestContext);
  app.use(express.json());
  app.use(api.router);
  app.use(errorHandler(createLogger('silent')));
  return app;
}

/** Authentication that accepts any well-formed token as `userId` (token id 7). */
const authenticateAs = (userId: number) =>
  requireUser({ authenticate: async () => ({ userId, tokenId: 7 }) } as unknown as AccountService);

describe('One channel for the actor: the route’s caller and the audit stamp', () => {
  const db = useTestDatabase('latest');
  let fixture: AuditFixture;
  let alice: number, bob: number;

  beforeEach(async () => {
    fixture = await createAuditFixture(db.current.sequelize, 2);
    [alice, bob] = fixture.users as [number, number];
  });

  const createdBy = async (id: number) => {
    const [row] = await db.current.sequelize.query<{ created_by: number | null }>(
      'SELECT created_by FROM items WHERE id = :id',
      { replacements: { id }, type: QueryTypes.SELECT },
    );
    return row?.created_by;
  };

  it('when an authenticated handler writes, the row is stamped with the very caller the handler received', async () => {
    const app = appWith(authenticateAs(alice), async (caller) => {
      const item = await Item.create({ name: 'Rope', campaignId: fixture.campaignId });
      return { caller, itemId: item.id };
    });

    const res = await request(app).post('/probe').set('Authorization', TOKEN).expect(200);

    expect(res.body.caller).to.deep.equal({ userId: alice, tokenId: 7 });
    expect(await createdBy(res.body.itemId)).to.equal(alice);
  });

  it('when the handler runs a write as another user, that write is stamped with them, the caller stays the authenticated user, and later writes are the caller’s again', async () => {
    const app = appWith(authenticateAs(alice), async (caller) => {
      const asBob = await runAs(bob, () =>
        Item.create({ name: 'Map', campaignId: fixture.campaignId }),
      );
      const after = await Item.create({ name: 'Lamp', campaignId: fixture.campaignId });
      return { caller, callerAfter: authenticatedCaller(), asBob: asBob.id, after: after.id };
    });

    const res = await request(app).post('/probe').set('Authorization', TOKEN).expect(200);

    expect(await createdBy(res.body.asBob)).to.equal(bob);
    expect(await createdBy(res.body.after)).to.equal(alice);
    expect(res.body.caller).to.deep.equal({ userId: alice, tokenId: 7 });
    expect(res.body.callerAfter).to.deep.equal(res.body.caller);
  });

  it('when something tries to replace the authenticated actor during the request, answers 500 and writes nothing', async () => {
    // Authentication run twice, as a second user the second time (Express 5 passes a rejection on).
    const replaceActor: RequestHandler = async (req, res, next) => {
      await authenticateAs(alice)(req, res, () => undefined);
      await authenticateAs(bob)(req, res, next);
    };
    const app = appWith(replaceActor, async () =>
      Item.create({ name: 'Forged', campaignId: fixture.campaignId }),
    );

    await request(app).post('/probe').set('Authorization', TOKEN).expect(500);

    const [{ count }] = (await db.current.sequelize.query(
      "SELECT count(*)::int AS count FROM items WHERE name = 'Forged'",
      { type: QueryTypes.SELECT },
    )) as [{ count: number }];
    expect(count).to.equal(0);
  });

  it('when an authed route is wired without authentication, answers 401 and the handler never runs', async () => {
    let ran = false;
    const app = appWith(
      (_req, _res, next) => next(),
      async () => {
        ran = true;
      },
    );

    const res = await request(app).post('/probe').expect(401);

    expect(res.body.error.code).to.equal('unauthorized');
    expect(ran).to.equal(false);
  });
});
