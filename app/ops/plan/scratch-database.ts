import { randomBytes } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { createSequelize } from '../../db/sequelize';
import { ident } from '../../db/sql-identifier';
import { openStableClient } from '../pg-client';

/** A throw-away database next to the target, for running migrations on an empty copy of its schema. */
export interface ScratchDatabase {
  readonly name: string;
  readonly sequelize: Sequelize;
  drop(): Promise<void>;
}

/**
 * Creates an empty database on the target's server (the role needs
 * CREATEDB). The target itself is not touched; the scratch is dropped after.
 */
export async function createScratchDatabase(targetUrl: string): Promise<ScratchDatabase> {
  const name = `gma_plan_${randomBytes(5).toString('hex')}`;
  const admin = await openStableClient(targetUrl, 'gma-plan');
  try {
    await admin.query(`CREATE DATABASE ${ident(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(targetUrl);
  url.pathname = `/${name}`;
  const sequelize = createSequelize(url.toString());
  return {
    name,
    sequelize,
    async drop() {
      await sequelize.close();
      const client = await openStableClient(targetUrl, 'gma-plan');
      try {
        await client.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
