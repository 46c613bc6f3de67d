import path from 'node:path';
import { expect } from 'chai';
import { PROJECT_ROOT, runCommand } from '../support/run-command';

const MOCHA = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'mocha');

describe('Running the unit tests', () => {
  it('when a unit test reaches for a database, even one that catches the refusal, the unit run fails naming the reason', async () => {
    const result = await runCommand(MOCHA, [
      '--config',
      'test/unit/mocharc.cjs',
      'test/suite/fixtures/reaches-a-database.ts',
    ]);
    expect(result.code, result.stdout + result.stderr).to.equal(1);
    expect(result.stdout).to.include('1 failing');
    expect(result.stdout).to.include('A connection to 127.0.0.1:1/none was opened in a unit test');
  });
});
