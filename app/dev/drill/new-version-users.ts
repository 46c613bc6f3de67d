import { jsonClient, type JsonResponse } from '../json-client';
import type { DrillTable } from './writer-protocol';

/** One write the new version answered: who, which row, when the answer arrived (epoch ms). */
export interface HttpWrite {
  table: DrillTable;
  id: number;
  user: number;
  at: number;
}

/** What the users did through the new version. */
export interface HttpLog {
  writes: HttpWrite[];
  /** Requests answered with anything but 2xx, or that failed. */
  failures: string[];
  /** Writes answered while running, and the time spent (ms): the throughput. */
  written: number;
  ms: number;
}

const CONTENT = [
  ['characters', '/api/characters'],
  ['items', '/api/items'],
  ['locations', '/api/locations'],
] as const;

interface User {
  id: number;
  username: string;
  token: string;
}

/**
 * `count` users of the new version, each on the instances in turn: user 0
 * creates a campaign and invites the others as GMs. While running, each
 * creates characters, items and locations; rows with an even id are handed
 * to `adopt` (the previous version may update them, the users never touch
 * them again), and each user edits the odd-id rows of the next user (so no
 * two users edit one row, and the last writer of each row is known); user 1
 * also edits the campaign.
 */
export async function newVersionUsers(
  bases: string[],
  count: number,
  adopt: (table: DrillTable, ids: number[]) => void,
) {
  const calls = bases.map((base) => jsonClient(base));
  const via = (n: number) => calls[n % calls.length]!;
  const failures: string[] = [];
  const writes: HttpWrite[] = [];
  const call = async (
    n: number,
    method: string,
    path: string,
    body?: object,
    token?: string,
  ): Promise<JsonResponse | undefined> => {
    try {
      const res = await via(n)(method, path, body, token);
      if (res.status < 300) return res;
      failures.push(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    } catch (error) {
      failures.push(`${method} ${path}: ${(error as Error).message}`);
    }
    return undefined;
  };
  const must = async (n: number, method: string, path: string, body?: object, token?: string) => {
    const res = await call(n, method, path, body, token);
    if (!res) throw new Error(`setup of the new version's users failed: ${failures.join('; ')}`);
    return res.body as Record<string, unknown>;
  };

  const users: User[] = [];
  for (let i = 0; i < count; i++) {
    const username = `drill${i}`;
    const password = 'correct horse battery';
    const reg = await must(i, 'POST', '/api/auth/register', {
      username,
      email: `${username}@example.test`,
      password,
    });
    const login = await must(i + 1, 'POST', '/api/auth/login', { username, password });
    users.push({ id: reg.id as number, username, token: login.token as string });
  }
  const owner = users[0]!;
  const campaignId = (await must(0, 'POST', '/api/campaigns', { name: 'Drill' }, owner.token))
    .id as number;
  for (const [i, user] of users.slice(1).entries()) {
    const invitation = await must(
      i,
      'POST',
      `/api/campaigns/${campaignId}/invitations`,
      { username: user.username, role: 'GM' },
      owner.token,
    );
    await must(i + 1, 'POST', `/api/invitations/${invitation.id}/accept`, undefined, user.token);
  }
  writes.push({ table: 'campaigns', id: campaignId, user: owner.id, at: Date.now() });

  /** Odd-id rows each user created, that the previous user edits. */
  const editable = users.map(() => [] as Array<{ table: DrillTable; id: number }>);

  return {
    /** Writes until `running()` turns false; resolves with the log. */
    async run(running: () => boolean): Promise<HttpLog> {
      const started = Date.now();
      const before = writes.length;
      await Promise.all(
        users.map(async (user, u) => {
          for (let n = 0; running(); n++) {
            const [table, path] = CONTENT[n % CONTENT.length]!;
            const created = await call(
              u + n,
              'POST',
              path,
              { campaignId, name: `drill ${u}-${n}` },
              user.token,
            );
            if (created) {
              const id = created.body.id as number;
              writes.push({ table, id, user: user.id, at: Date.now() });
              if (id % 2 === 0) adopt(table, [id]);
              else editable[u]!.push({ table, id });
            }
            const next = editable[(u + 1) % users.length]!;
            const row = next[Math.floor(Math.random() * next.length)];
            if (row) {
              const path = CONTENT.find(([t]) => t === row.table)![1];
              const edited = await call(
                u + n + 1,
                'PATCH',
                `${path}/${row.id}`,
                { description: `edited by ${u} (${n})` },
                user.token,
              );
              if (edited) writes.push({ ...row, user: user.id, at: Date.now() });
            }
            if (u === 1 && n % 5 === 0) {
              const edited = await call(
                n,
                'PATCH',
                `/api/campaigns/${campaignId}`,
                { description: `edited ${n}` },
                user.token,
              );
              if (edited)
                writes.push({ table: 'campaigns', id: campaignId, user: user.id, at: Date.now() });
            }
          }
        }),
      );
      return { writes, failures, written: writes.length - before, ms: Date.now() - started };
    },
  };
}
