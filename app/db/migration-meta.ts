/** What a migration does, as a kind tools can group and order by. */
export type MigrationKind = 'schema' | 'backfill' | 'index' | 'key';

/**
 * A migration's properties, declared as data (`export const meta`) so that
 * tools and tests read them instead of guessing from a file name or comment.
 */
export interface MigrationMeta {
  /** True when `up` runs in one transaction (all or nothing); false when it commits in steps and is written to be re-run. */
  readonly transactional: boolean;
  /** The table the migration changes. */
  readonly table: string;
  readonly kind: MigrationKind;
}

/**
 * The same properties for the migrations released before files declared
 * them: those files never change, so their declaration lives here, once.
 */
export const RELEASED_MIGRATION_META: Readonly<Record<string, MigrationMeta>> = {
  '20260101000100-create-users.ts': { transactional: true, table: 'users', kind: 'schema' },
  '20260101000200-create-campaigns.ts': { transactional: true, table: 'campaigns', kind: 'schema' },
  '20260101000300-create-campaign-memberships.ts': {
    transactional: true,
    table: 'campaign_memberships',
    kind: 'schema',
  },
  '20260101000400-create-characters.ts': {
    transactional: true,
    table: 'characters',
    kind: 'schema',
  },
  '20260101000500-create-items.ts': { transactional: true, table: 'items', kind: 'schema' },
  '20260101000600-create-locations.ts': { transactional: true, table: 'locations', kind: 'schema' },
  '20261120000000-create-system-user.ts': { transactional: true, table: 'users', kind: 'schema' },
  '20261121000000-add-player-content-setting-to-campaigns.ts': {
    transactional: true,
    table: 'campaigns',
    kind: 'schema',
  },
  '20261121000100-create-auth-tokens.ts': {
    transactional: true,
    table: 'auth_tokens',
    kind: 'schema',
  },
  '20261124100000-add-audit-fields-to-characters.ts': {
    transactional: true,
    table: 'characters',
    kind: 'schema',
  },
  '20261124100100-add-audit-fields-to-items.ts': {
    transactional: true,
    table: 'items',
    kind: 'schema',
  },
  '20261124100200-add-audit-fields-to-locations.ts': {
    transactional: true,
    table: 'locations',
    kind: 'schema',
  },
  '20261124100300-create-audit-backfill-log.ts': {
    transactional: true,
    table: 'audit_backfill_log',
    kind: 'schema',
  },
  '20261124100400-backfill-audit-fields-of-characters.ts': {
    transactional: false,
    table: 'characters',
    kind: 'backfill',
  },
  '20261124100500-backfill-audit-fields-of-items.ts': {
    transactional: false,
    table: 'items',
    kind: 'backfill',
  },
  '20261124100600-backfill-audit-fields-of-locations.ts': {
    transactional: false,
    table: 'locations',
    kind: 'backfill',
  },
  '20261124100700-add-audit-foreign-keys-to-characters.ts': {
    transactional: false,
    table: 'characters',
    kind: 'key',
  },
  '20261124100800-add-audit-foreign-keys-to-items.ts': {
    transactional: false,
    table: 'items',
    kind: 'key',
  },
  '20261124100900-add-audit-foreign-keys-to-locations.ts': {
    transactional: false,
    table: 'locations',
    kind: 'key',
  },
  '20261124101000-index-audit-fields-of-characters.ts': {
    transactional: false,
    table: 'characters',
    kind: 'index',
  },
  '20261124101100-index-audit-fields-of-items.ts': {
    transactional: false,
    table: 'items',
    kind: 'index',
  },
  '20261124101200-index-audit-fields-of-locations.ts': {
    transactional: false,
    table: 'locations',
    kind: 'index',
  },
};
