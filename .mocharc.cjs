// tsx compiles the TypeScript; test/support/global-setup.ts starts one
// throw-away PostgreSQL for the whole run (or uses TEST_DATABASE_URL).
module.exports = {
  require: ['tsx/cjs', 'test/support/global-setup.ts'],
  extension: ['ts'],
  spec: ['test/**/*.test.ts'],
  recursive: true,
  timeout: 60000,
  slow: 2000,
  reporter: 'spec',
};
