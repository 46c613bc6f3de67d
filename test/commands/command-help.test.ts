import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { CAPTURED_KINDS, TABLE_NAMES } from '../../app/registry';
import { PROJECT_ROOT, runCommand } from '../support/run-command';

/** Every command-line entry point: a file under app/ or scripts/ that calls runMain(), except the server. */
function commands(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (
        rel.endsWith('.ts') &&
        rel !== path.join('app', 'server.ts') &&
        rel !== path.join('app', 'cli', 'run-main.ts') &&
        /\brunMain\(/.test(fs.readFileSync(path.join(PROJECT_ROOT, rel), 'utf8'))
      ) {
        found.push(rel);
      }
    }
  };
  walk('app');
  if (fs.existsSync(path.join(PROJECT_ROOT, 'scripts'))) walk('scripts');
  return found.sort();
}

describe('Command-line help', () => {
  const all = commands();

  it('when the commands are listed, the migration runner commands are among them', () => {
    expect(all).to.include.members([
      path.join('app', 'cli', 'migrate.ts'),
      path.join('app', 'cli', 'rollback.ts'),
      path.join('app', 'cli', 'status.ts'),
    ]);
  });

  for (const command of all) {
    it(`when ${command} gets --help, prints its usage and exits 0 without touching a database; given an unknown option, exits 2 naming it`, async () => {
      // An unreachable database: neither may connect.
      const env = { DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none' };
      const [help, unknown] = await Promise.all([
        runCommand(process.execPath, ['--import', 'tsx', command, '--help'], env),
        runCommand(process.execPath, ['--import', 'tsx', command, '--no-such-option'], env),
      ]);
      expect(help.code, help.stderr).to.equal(0);
      expect(help.stdout).to.match(/^Usage: /);
      expect(unknown.code, unknown.stderr).to.equal(2);
      expect(unknown.stderr).to.include('--no-such-option');
    });
  }

  it('when db:verify prints its help, it names every audited table; db:history, every kind: both read from the registry', async () => {
    const help = async (command: string) =>
      (
        await runCommand(
          process.execPath,
          ['--import', 'tsx', path.join('app', 'cli', command), '--help'],
          {},
        )
      ).stdout;
    const verify = await help('verify.ts');
    expect(TABLE_NAMES.filter((table) => verify.includes(table))).to.deep.equal([...TABLE_NAMES]);
    const history = await help('history.ts');
    expect(history).to.include(
      `--kind <kind>    only entries of one kind: ${CAPTURED_KINDS.join(', ')}`,
    );
  });
});
