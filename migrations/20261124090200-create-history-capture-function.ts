// The trigger function every captured table shares: it writes one history
// entry per row changed, with the actor, request id and source the app set
// in the transaction (NULL for writes from outside the app). See
// app/history/capture-sql.ts. Down drops it (after the triggers' downs).
import { captureFunctionMigration } from '../app/history/history-steps';

export const { meta, up, down } = captureFunctionMigration();
