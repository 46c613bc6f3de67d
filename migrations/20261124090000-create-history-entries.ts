// The history: one entry per row changed in campaigns, characters, items and
// locations, written by each table's trigger (the capture-history-of-*
// migrations). Partitioned by month of `at`, with a default partition so a
// write never fails for want of a partition; indexed for a row's history
// and a campaign's activity, newest first. Created before the audit columns,
// so every write of a previous app version during a rolling upgrade is on
// record from then on. Empty tables: one short transaction.
// Down keeps the entries: a table holding any is renamed aside
// (history_entries_archived) and back by the next up; an empty one is dropped.
import { historyTableMigration } from '../app/history/history-steps';

export const { meta, up, down } = historyTableMigration();
