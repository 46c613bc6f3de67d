import { createHash } from 'node:crypto';
import request from 'supertest';
import type { CampaignFixture } from './campaign-fixture';
import type { TestDatabase } from './test-database';

/** A strong ETag as the API sends it: a quoted base64url SHA-256. */
export const STRONG_ETAG = /^"[A-Za-z0-9_-]{43}"$/;

/** The ETag the API gives a body: the SHA-256 of its bytes, base64url, quoted. */
export function etagOfText(text: string): string {
  return `"${createHash('sha256').update(text, 'utf8').digest('base64url')}"`;
}

/** The resources that carry an ETag and take If-Match: where they live and how one is made. */
export interface TaggedKind {
  collection: 'campaigns' | 'characters' | 'items' | 'locations';
  /** Creates one, named `name`, as the campaign's OWNER (who may change and delete each). */
  create(f: CampaignFixture, name: string): request.Test;
}

export const TAGGED_KINDS: readonly TaggedKind[] = [
  {
    collection: 'campaigns',
    create: (f, name) =>
      request(f.app).post('/api/campaigns').set('Authorization', f.owner.auth).send({ name }),
  },
  ...(['characters', 'items', 'locations'] as const).map((collection): TaggedKind => ({
    collection,
    create: (f, name) =>
      request(f.app)
        .post(`/api/${collection}`)
        .set('Authorization', f.owner.auth)
        .send({ campaignId: f.campaignId, name }),
  })),
];

/** The row's name and description by a fresh query, or undefined when the row is gone. */
export async function storedRow(
  db: TestDatabase,
  table: TaggedKind['collection'],
  id: number,
): Promise<{ name: string; description: string | null } | undefined> {
  const [rows] = await db.sequelize.query(`SELECT name, description FROM ${table} WHERE id = $1`, {
    bind: [id],
  });
  return (rows as Array<{ name: string; description: string | null }>)[0];
}
