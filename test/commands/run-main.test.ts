import { expect } from 'chai';
import { runCommand } from '../support/run-command';

const fail = (...args: string[]) =>
  runCommand(process.execPath, ['--import', 'tsx', 'test/support/failing-command.ts', ...args]);
const STACK = /\n\s+at /;

describe('Commands: what a failure prints', () => {
  it('when a command fails with an explained error, prints its message on one line, no stack, and exits 1', async () => {
    const result = await fail('explained');
    expect(result.code).to.equal(1);
    expect(result.stderr).to.equal('failing-command: PORT must be a port number (got "abc")\n');
  });

  it('when a command is called wrongly, prints the mistake and a pointer to --help, and exits 2', async () => {
    const result = await fail('usage');
    expect(result.code).to.equal(2);
    expect(result.stderr).to.equal(
      'failing-command: Unknown option --nope\nRun with --help for usage.\n',
    );
  });

  it('when a command fails with an unexplained error, prints its stack and exits 1', async () => {
    const result = await fail('bug');
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include('failing-command: unexpected failure: TypeError');
    expect(result.stderr).to.match(STACK);
  });

  it('when a migration fails with an explained error, prints one line naming the migration and the cause, and exits 1', async () => {
    const result = await fail('explained', 'in-migration');
    expect(result.code).to.equal(1);
    expect(result.stderr).to.equal(
      'failing-command: migration 20990101000000-fail-on-purpose.ts (up) failed: ' +
        'PORT must be a port number (got "abc")\n',
    );
  });

  it('when a migration fails on a lock the migration library could not take, prints its one-line explanation', async () => {
    const result = await fail('lock-timeout', 'in-migration');
    expect(result.code).to.equal(1);
    expect(result.stderr).to.equal(
      'failing-command: migration 20990101000000-fail-on-purpose.ts (up) failed: ' +
        'lock on items not acquired after 40 attempts\n',
    );
  });

  it('when a migration fails with an unexplained error, names the migration and prints the stack of the cause', async () => {
    const result = await fail('bug', 'in-migration');
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include(
      'failing-command: migration 20990101000000-fail-on-purpose.ts (up) failed: TypeError: Cannot read',
    );
    expect(result.stderr).to.match(STACK);
  });
});
