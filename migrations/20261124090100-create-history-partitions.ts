// The function that makes the history's monthly partitions ahead of time
// (the server calls it at start and daily, `db:history-prune` too), and the
// partitions from this month to three months on. Down drops the function;
// the partitions belong to the table.
import { historyPartitionsMigration } from '../app/history/history-steps';

export const { meta, up, down } = historyPartitionsMigration();
