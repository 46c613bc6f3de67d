import path from 'node:path';
import { expect } from 'chai';
import { PROJECT_ROOT, runCommand } from '../support/run-command';

const MOCHA = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'mocha');

interface DryRun {
  stats: { tests: number };
  tests: { file: string }[];
}

/** Lists (without running) what `mocha <args>` would run, as mocha's JSON report. */
async function dryRun(...args: string[]): Promise<DryRun> {
  const result = await runCommand(MOCHA, ['--dry-run', '--reporter', 'json', ...args]);
  expect(result.code, result.stderr).to.equal(0);
  return JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as DryRun;
}

describe('Running the tests', () => {
  it('when one file is named, mocha runs only that file', async () => {
    const file = path.join('test', 'unit', 'config.test.ts');
    const report = await dryRun(file);
    expect(report.stats.tests).to.be.greaterThan(0);
    const files = new Set(report.tests.map((t) => path.relative(PROJECT_ROOT, t.file)));
    expect([...files]).to.deep.equal([file]);
  });
});
