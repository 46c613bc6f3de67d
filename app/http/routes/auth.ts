import type { AccountService } from '../../services/account-service';
import type { ApiRouter } from '../api/api-router';
import { presentAccount } from '../presenters';
import { Account, LoginBody, LoginResponse, RegisterBody } from '../schemas/auth';

/** Register, log in, log out, and who am I. */
export function authRoutes(api: ApiRouter, accounts: AccountService): void {
  api.public(
    {
      method: 'post',
      operationId: 'register',
      path: '/api/auth/register',
      summary: 'Create an account',
      tag: 'Accounts',
      body: RegisterBody,
      status: 201,
      response: Account,
      errors: [409, 429],
      etag: true,
    },
    async ({ body, ip }) => presentAccount(await accounts.register(body, ip)),
  );

  api.public(
    {
      method: 'post',
      operationId: 'login',
      path: '/api/auth/login',
      summary: 'Log in: returns a bearer token and its expiry',
      tag: 'Accounts',
      body: LoginBody,
      status: 200,
      response: LoginResponse,
      errors: [401, 429],
    },
    async ({ body, ip }) => {
      const { token, expiresAt, user } = await accounts.login(body.username, body.password, ip);
      return { token, expiresAt: expiresAt.toISOString(), user: presentAccount(user) };
    },
  );

  api.authed(
    {
      method: 'post',
      operationId: 'logout',
      path: '/api/auth/logout',
      summary: 'Revoke the bearer token used for this request',
      tag: 'Accounts',
      status: 204,
      errors: [],
    },
    async (_input, caller) => accounts.logout(caller),
  );

  api.authed(
    {
      method: 'get',
      operationId: 'getMe',
      path: '/api/me',
      summary: 'The account of the bearer token',
      tag: 'Accounts',
      status: 200,
      response: Account,
      errors: [],
      etag: true,
    },
    async (_input, caller) => presentAccount(await accounts.me(caller)),
  );
}
