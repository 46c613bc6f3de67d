// tsx compiles the TypeScript; test/support/global-setup.ts starts one
// throw-away PostgreSQL for the whole run (or uses TEST_DATABASE_URL).
// No `spec` here: a config's spec is added to the files named on the command
// line, so `npx mocha test/x.test.ts` would run everything. `npm test`
// names the whole suite itself.
module.exports = {
  require: ['tsx/cjs', 'test/support/global-setup.ts'],
  extension: ['ts'],
  recursive: true,
  timeout: 60000,
  slow: 2000,
  reporter: 'spec',
};
