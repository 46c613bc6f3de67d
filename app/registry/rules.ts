import type { BackfillRule } from './table-declaration';

/**
 * The rule of campaign content whose `created_by` existed before the audit
 * (items, locations): a creator already recorded is kept and the modifier
 * follows it; where none is, both take the campaign's owner.
 */
export const CREATOR_ELSE_CAMPAIGN_OWNER: BackfillRule = {
  source: 'c.owner_id',
  joins: 'LEFT JOIN campaigns c ON c.id = t.campaign_id',
  inputs: [
    { column: 'campaign_id', target: 'campaigns' },
    { column: 'created_by', target: 'users' },
  ],
  summary: 'modified_by = created_by; where created_by is NULL, both take the campaign owner',
};
