/**
 * Transaction-local settings through which the app tells the history capture
 * who is writing (`SET LOCAL`: safe under transaction pooling). The capture
 * trigger reads the same names (app/history/capture-sql.ts, which takes them
 * from app/history/captured-table.ts: that file is frozen with the released
 * migrations, so it keeps its own copy; test/unit/history-settings.test.ts
 * holds the two equal).
 */
export const HISTORY_SETTINGS = {
  actor: 'gma.actor_id',
  requestId: 'gma.request_id',
  source: 'gma.source',
} as const;
