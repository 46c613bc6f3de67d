import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../app/app';
import { loadConfig } from '../../app/config';
import { createLogger } from '../../app/logger';
import type { AuthRateLimits } from '../../app/services/auth-rate-limiter';
import { assertContract, checkContractOf } from './contract';
import type { TestDatabase } from './test-database';

import { jsonClient as plainJsonClient, type JsonResponse } from '../../app/dev/json-client';

export type { JsonResponse };

/** The app on a test database, silent; every response it gives is checked against the OpenAPI document. */
export function testApp(
  db: TestDatabase,
  loginLimits?: Partial<AuthRateLimits>,
  env: Record<string, string> = {},
): Express {
  return checkContractOf(
    createApp({
      sequelize: db.sequelize,
      logger: createLogger('silent'),
      loginLimits,
      // Fixtures sign up many users from one address; tests of the limit set it lower.
      config: loadConfig({ REGISTER_MAX_PER_ADDRESS: '1000', ...process.env, ...env }),
    }),
  );
}

/** A registered, logged-in user. */
export interface TestUser {
  id: number;
  username: string;
  token: string;
  /** `Authorization` header value. */
  auth: string;
}

/** Registers `username` (password "correct horse battery") and logs in through the API. */
export async function signUp(app: Express, username: string): Promise<TestUser> {
  const password = 'correct horse battery';
  const registered = await request(app)
    .post('/api/auth/register')
    .send({ username, email: `${username}@example.test`, password });
  if (registered.status !== 201) {
    throw new Error(
      `register ${username}: ${registered.status} ${JSON.stringify(registered.body)}`,
    );
  }
  const login = await request(app).post('/api/auth/login').send({ username, password }).expect(200);
  const token = login.body.token as string;
  return { id: registered.body.id, username, token, auth: `Bearer ${token}` };
}

/** Creates a campaign owned by `owner` and returns its id. */
export async function createCampaign(
  app: Express,
  owner: TestUser,
  body: Record<string, unknown> = {},
): Promise<number> {
  const res = await request(app)
    .post('/api/campaigns')
    .set('Authorization', owner.auth)
    .send({ name: 'The Lost Mine', ...body })
    .expect(201);
  return res.body.id;
}

/** Makes `user` a member with `role`: `owner` invites, `user` accepts. */
export async function addMember(
  app: Express,
  owner: TestUser,
  campaignId: number,
  user: TestUser,
  role: string,
): Promise<void> {
  const invitation = await request(app)
    .post(`/api/campaigns/${campaignId}/invitations`)
    .set('Authorization', owner.auth)
    .send({ username: user.username, role })
    .expect(201);
  await request(app)
    .post(`/api/invitations/${invitation.body.id}/accept`)
    .set('Authorization', user.auth)
    .expect(200);
}

/** A `fetch` client for a server at `base`; every response is checked against the OpenAPI document. */
export function jsonClient(base: string) {
  return plainJsonClient(base, assertContract);
}
