import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startAppServer, type AppServerProcess } from '../../app/dev/app-server';
import {
  describeFailure,
  documentedFiles,
  extractExamples,
  runExamples,
  type DocExample,
} from '../support/doc-examples';
import { PROJECT_ROOT, appCommand } from '../support/run-command';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const examplesOf = (file: string): DocExample[] =>
  extractExamples(file, fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8'));

/** What a reader's shell has: no variable of the developer's own that could redirect a command. */
function readerEnvironment(db: TestDatabase, server: AppServerProcess): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG'];
  const env: Record<string, string> = {};
  for (const name of keep) if (process.env[name]) env[name] = process.env[name]!;
  return { ...env, DATABASE_URL: db.url, API: server.base, NODE_ENV: 'test', LOG_LEVEL: 'silent' };
}

describe('The examples of README.md and docs/', function () {
  this.timeout(600_000);

  it('when a ```bash block fails, the check stops there and names its file and line', async () => {
    const examples = extractExamples(
      'docs/sample.md',
      [
        '# sample',
        '```bash',
        'N=3',
        '```',
        'text',
        '```sh',
        'exit 9',
        '```',
        '```bash',
        'test "$N" = 4',
        'echo never',
        '```',
        '```bash',
        'true',
        '```',
      ].join('\n'),
    );
    expect(examples.map((e) => [e.line, e.language])).to.deep.equal([
      [2, 'bash'],
      [6, 'sh'],
      [9, 'bash'],
      [13, 'bash'],
    ]);

    const results = await runExamples(examples, { PATH: process.env.PATH! });

    expect(results.map((r) => r.code)).to.deep.equal([0, 1]);
    expect(describeFailure(results[1]!)).to.match(
      /^docs\/sample\.md:9: this example exited 1:\ntest "\$N" = 4/,
    );
  });

  it('when a block is fenced as ```shell (neither run nor marked as shown only), the check refuses it', () => {
    expect(() => extractExamples('x.md', 'a\n```shell\nls\n```\n')).to.throw(
      'x.md:2: a ```shell block; write ```bash',
    );
  });

  describe('on a fresh database after npm run db:seed, with the server running', () => {
    let db: TestDatabase;
    let server: AppServerProcess;

    before(async () => {
      // Fail, never skip: an example that cannot run is not checked.
      const missing = ['curl', 'jq', 'psql'].filter(
        (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
      );
      if (missing.length > 0) {
        throw new Error(
          `the docs' examples need ${missing.join(', ')}: sudo apt-get install ` +
            missing.map((tool) => (tool === 'psql' ? 'postgresql-client' : tool)).join(' '),
        );
      }
      db = await createTestDatabase('latest');
      server = await startAppServer({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
      await server.ready();
      const seeded = await appCommand('app/cli/seed.ts', db.url);
      if (seeded.code !== 0) throw new Error(`db:seed failed: ${seeded.stderr}`);
    });
    after(async () => {
      await server?.stop();
      await db?.drop();
    });

    for (const file of documentedFiles()) {
      it(`when every \`\`\`bash block of ${file} runs in order, each exits 0`, async () => {
        const examples = examplesOf(file);
        const results = await runExamples(examples, readerEnvironment(db, server));
        const failed = results.find((r) => r.code !== 0);
        expect(failed, failed && describeFailure(failed)).to.equal(undefined);
        expect(results).to.have.length(examples.filter((e) => e.language === 'bash').length);
      });
    }
  });
});
