// `npm test`: the whole suite, test/unit included, in parallel. Global setup
// (.mocharc.cjs) runs once in the main process: one PostgreSQL and one
// PgBouncer for the run, whose addresses the workers inherit; each test
// clones its own database from a template (docs/testing.md).
const fs = require('node:fs');
const path = require('node:path');

// Two workers for the two cores CI has: while a test waits on PostgreSQL or
// on a child process, the other worker runs. More would take CPU from the
// tests that bound a latency or a lock wait.
const JOBS = 2;

// Folders whose files run longest go first, so that no long file starts last
// and leaves one worker idle at the end. Folders not listed run after these,
// in name order: a new folder is never left out.
const FIRST = ['safety', 'migrations', 'server', 'docs', 'commands', 'ops', 'http', 'models'];

function testFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return testFiles(file);
      return entry.name.endsWith('.test.ts') ? [file] : [];
    })
    .sort();
}

function rank(file) {
  const folder = path.relative(__dirname, file).split(path.sep)[0];
  const index = FIRST.indexOf(folder);
  return index === -1 ? FIRST.length : index;
}

module.exports = {
  ...require('../.mocharc.cjs'),
  parallel: true,
  jobs: JOBS,
  spec: testFiles(__dirname)
    .map((file, i) => ({ file, i }))
    .sort((a, b) => rank(a.file) - rank(b.file) || a.i - b.i)
    .map(({ file }) => path.relative(path.join(__dirname, '..'), file)),
};
