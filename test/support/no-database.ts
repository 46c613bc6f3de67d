// Loaded by test/unit/mocharc.cjs: in the unit tests no database may be
// reached. Every way the code opens one (a pg client, which Sequelize and
// pg.Pool use too, or the embedded server) is refused, and a root hook fails
// the test that tried, even when the test caught the refusal.
import pg from 'pg';
import { EmbeddedPostgres } from '../../app/db/embedded-postgres';

/** A unit test tried to reach a database. */
export class DatabaseInUnitTestError extends Error {
  override readonly name = 'DatabaseInUnitTestError';
  constructor(what: string) {
    super(
      `${what} in a unit test: test/unit runs with no PostgreSQL. ` +
        'Move the test to the folder of what it covers (test/models, test/http, ...), ' +
        'where `npm test` gives it a database of its own.',
    );
  }
}

let attempts: DatabaseInUnitTestError[] = [];

/** The attempts recorded since the last call, and forgets them (for the guard's own test). */
export function takeDatabaseAttempts(): DatabaseInUnitTestError[] {
  const taken = attempts;
  attempts = [];
  return taken;
}

function refuse(what: string): DatabaseInUnitTestError {
  const error = new DatabaseInUnitTestError(what);
  attempts.push(error);
  return error;
}

type Connect = (callback?: (error: Error | null) => void) => Promise<void> | void;
(pg.Client.prototype as unknown as { connect: Connect }).connect = function (
  this: pg.Client,
  callback?: (error: Error | null) => void,
) {
  const error = refuse(`A connection to ${this.host}:${this.port}/${this.database} was opened`);
  if (callback) {
    process.nextTick(callback, error);
    return;
  }
  return Promise.reject(error);
};

EmbeddedPostgres.start = () => Promise.reject(refuse('The embedded PostgreSQL was started'));

export const mochaHooks = {
  afterEach() {
    const [first] = takeDatabaseAttempts();
    if (first) throw first;
  },
};
