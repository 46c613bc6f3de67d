import os from 'node:os';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../app/config';

describe('loadConfig', () => {
  it('when the environment is empty, uses the embedded database, port 3000 and loopback', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).to.equal(undefined);
    expect(config.port).to.equal(3000);
    expect(config.host).to.equal('127.0.0.1');
    expect(Object.isFrozen(config)).to.equal(true);
  });

  it('when DATABASE_URL is a PostgreSQL URL, keeps it', () => {
    const url = 'postgres://gma:secret@db.example:5432/gma';
    expect(loadConfig({ DATABASE_URL: url }).databaseUrl).to.equal(url);
  });

  it('when MIGRATION_DATABASE_URL is set beside DATABASE_URL, keeps both; unset, it stays undefined', () => {
    const app = 'postgres://gma:secret@pgbouncer.example:6432/gma';
    const direct = 'postgres://gma:secret@db.example:5432/gma';
    const config = loadConfig({ DATABASE_URL: app, MIGRATION_DATABASE_URL: direct });
    expect(config.databaseUrl).to.equal(app);
    expect(config.migrationDatabaseUrl).to.equal(direct);
    expect(loadConfig({ DATABASE_URL: app }).migrationDatabaseUrl).to.equal(undefined);
  });

  it('when sequelize-cli is given MIGRATION_DATABASE_URL without DATABASE_URL, its config refuses with the same message as the app', () => {
    const file = require.resolve('../../config/config.js');
    const saved = { d: process.env.DATABASE_URL, m: process.env.MIGRATION_DATABASE_URL };
    delete process.env.DATABASE_URL;
    process.env.MIGRATION_DATABASE_URL = 'postgres://u:p@h/db';
    delete require.cache[file];
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      expect(() => require(file)).to.throw('MIGRATION_DATABASE_URL is set but DATABASE_URL is not');
    } finally {
      delete require.cache[file];
      if (saved.d === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved.d;
      if (saved.m === undefined) delete process.env.MIGRATION_DATABASE_URL;
      else process.env.MIGRATION_DATABASE_URL = saved.m;
    }
  });

  const bad: Array<[string, Record<string, string>]> = [
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://u:p@h/db' }],
    ['DATABASE_URL', { DATABASE_URL: 'postgres://u:p@h:5432' }],
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['MIGRATE_ON_START', { MIGRATE_ON_START: 'maybe' }],
    [
      'MIGRATION_DATABASE_URL',
      { MIGRATION_DATABASE_URL: 'db.example:5432/gma', DATABASE_URL: 'postgres://u:p@h/db' },
    ],
    // Without DATABASE_URL the app would serve the embedded database and migrate another.
    ['MIGRATION_DATABASE_URL', { MIGRATION_DATABASE_URL: 'postgres://u:p@h/db' }],
    ['LOGIN_MAX_FAILURES_PER_ACCOUNT', { LOGIN_MAX_FAILURES_PER_ACCOUNT: '0' }],
    ['LOGIN_MAX_FAILURES_PER_ADDRESS', { LOGIN_MAX_FAILURES_PER_ADDRESS: '1e3' }],
    ['LOGIN_WINDOW_SECONDS', { LOGIN_WINDOW_SECONDS: 'soon' }],
    ['REGISTER_MAX_PER_ADDRESS', { REGISTER_MAX_PER_ADDRESS: '-1' }],
    ['REGISTER_WINDOW_SECONDS', { REGISTER_WINDOW_SECONDS: '0x10' }],
    ['INVITATION_TTL_DAYS', { INVITATION_TTL_DAYS: '0' }],
    ['SHUTDOWN_DELAY_MS', { SHUTDOWN_DELAY_MS: '200000' }],
    ['WEB_CONCURRENCY', { WEB_CONCURRENCY: '0' }],
    ['WEB_CONCURRENCY', { WEB_CONCURRENCY: 'auto' }],
    ['WEB_CONCURRENCY', { WEB_CONCURRENCY: '257' }],
  ];

  it('when WEB_CONCURRENCY is unset, runs one worker per available core in production and one process elsewhere', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).webConcurrency).to.equal(
      os.availableParallelism(),
    );
    expect(loadConfig({ NODE_ENV: 'development' }).webConcurrency).to.equal(1);
    expect(loadConfig({ NODE_ENV: 'test' }).webConcurrency).to.equal(1);
    expect(loadConfig({ WEB_CONCURRENCY: '3' }).webConcurrency).to.equal(3);
  });

  it('when SHUTDOWN_DELAY_MS is unset, waits 5 s in production and not at all elsewhere', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).shutdownDelayMs).to.equal(5000);
    expect(loadConfig({ NODE_ENV: 'development' }).shutdownDelayMs).to.equal(0);
    expect(loadConfig({ NODE_ENV: 'test' }).shutdownDelayMs).to.equal(0);
    expect(loadConfig({ SHUTDOWN_DELAY_MS: '1500' }).shutdownDelayMs).to.equal(1500);
  });
  for (const [variable, env] of bad) {
    it(`when ${variable}=${Object.values(env)[0]}, throws a ConfigError naming ${variable}`, () => {
      expect(() => loadConfig(env))
        .to.throw(ConfigError)
        .with.property('message')
        .that.matches(new RegExp(`^${variable} `));
    });
  }
});
