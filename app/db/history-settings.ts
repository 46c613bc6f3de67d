/**
 * Transaction-local settings through which the app tells the history capture
 * who is writing (`SET LOCAL`: safe under transaction pooling). The writers
 * (models/mixins/history-context.ts) set them and the capture trigger
 * (app/history/capture-sql.ts) reads them: both take the names from here.
 */
export const HISTORY_SETTINGS = {
  actor: 'gma.actor_id',
  requestId: 'gma.request_id',
  source: 'gma.source',
  /**
   * Set by a restore: the capture records its INSERT with action `restore`
   * instead of `create` (captureWithActionsSql). Consumed by that one write.
   */
  action: 'gma.action',
  /** Set by a revert: the id of the entry reverted, kept in the update's entry. Consumed by it. */
  revertOf: 'gma.revert_of',
} as const;
