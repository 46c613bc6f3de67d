// `npm run test:safety`: only the migration safety suite, same setup as `npm test`.
// Pick one category with `npm run test:safety -- --grep Rollback`.
module.exports = {
  ...require('../../.mocharc.cjs'),
  spec: ['test/safety/**/*.test.ts'],
};
