import type { Sequelize } from 'sequelize';
import { fillPreAuditData } from '../../app/dev/pre-audit-data';

/** What fillTables wrote: how many rows of each kind. */
export interface FilledCounts {
  users: number;
  campaigns: number;
  characters: number;
  items: number;
  locations: number;
}

/**
 * A small fill by the one data generator (app/dev/pre-audit-data.ts), on any
 * schema from the pre-audit one on: `n` characters, items and locations in 5
 * campaigns of 20 users, none of them empty or without an owner, so that the
 * counts a test reasons about are these; the planner statistics are left for
 * the test to refresh.
 */
export async function fillTables(sequelize: Sequelize, n = 300): Promise<FilledCounts> {
  const counts = await fillPreAuditData(sequelize, {
    rows: n,
    users: 20,
    campaigns: 5,
    emptyCampaigns: 0,
    analyze: false,
  });
  return {
    users: counts.users,
    campaigns: counts.campaigns,
    characters: n,
    items: n,
    locations: n,
  };
}
