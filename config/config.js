// sequelize-cli configuration. It loads this file with import(), so it stays
// plain JavaScript. The URL is the one the app's migrator uses:
// MIGRATION_DATABASE_URL (a direct connection, when DATABASE_URL goes through
// a transaction pooler), else DATABASE_URL, else the embedded PostgreSQL that
// `npm start` (or any `npm run db:*` command) is running.
const fs = require('node:fs');
const path = require('node:path');

const stateFile = path.resolve(__dirname, '..', '.data', 'embedded-postgres.json');

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function databaseUrl() {
  // One rule with the app's commands (app/config.ts): MIGRATION_DATABASE_URL is
  // a second address of the database DATABASE_URL names, never alone.
  if (process.env.MIGRATION_DATABASE_URL && !process.env.DATABASE_URL) {
    throw new Error(
      'MIGRATION_DATABASE_URL is set but DATABASE_URL is not; set DATABASE_URL to the same database (through the pooler)',
    );
  }
  if (process.env.MIGRATION_DATABASE_URL) return process.env.MIGRATION_DATABASE_URL;
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  if (fs.existsSync(stateFile)) {
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    if (state.pid && isAlive(state.pid)) return state.url;
  }
  throw new Error(
    'DATABASE_URL is not set and the embedded PostgreSQL is not running. ' +
      'Set DATABASE_URL=postgres://user:password@host:5432/db, or run `npm start` ' +
      'in another terminal: it runs the embedded one.',
  );
}

const settings = {
  url: databaseUrl(),
  dialect: 'postgres',
  logging: false,
  // The app's convention (app/db/sequelize.ts), for seeders that use the models.
  define: { underscored: true },
  migrationStorageTableName: 'SequelizeMeta',
  seederStorage: 'sequelize',
  seederStorageTableName: 'SequelizeData',
};

module.exports = { development: settings, test: settings, production: settings };
