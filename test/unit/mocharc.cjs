// `npm run test:unit`: the tests that need no database, in seconds. No global
// setup, so no PostgreSQL is started; test/support/no-database.ts fails any
// test that tries to reach one. As in .mocharc.cjs, no `spec` here (it would
// be added to the files named on the command line): the npm script names them.
module.exports = {
  require: ['tsx/cjs', 'test/support/no-database.ts'],
  extension: ['ts'],
  recursive: true,
  timeout: 10000,
  slow: 200,
  reporter: 'spec',
};
