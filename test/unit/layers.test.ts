import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '../..');

/** The layer-map messages ESLint reports for `code` placed at `filePath`. */
async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, filePath) });
  return result!.messages
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

const importing = (specifier: string) => `import { x } from '${specifier}';\nexport { x };\n`;

let eslint: ESLint;

describe('the layer map, as the linter enforces it', function () {
  this.timeout(30_000);
  before(() => {
    eslint = new ESLint({ cwd: ROOT });
  });

  const reported: Array<[string, string, RegExp]> = [
    [
      'models/x.ts',
      '../app/http/routes/auth',
      /models may import only .*app\/http\/ \(entry points\)/,
    ],
    [
      'app/db/x.ts',
      '../../models',
      /db may import only kernel, registry, db; models\/ is above it/,
    ],
    ['app/db/x.ts', '../../models/user', /db may import only/],
    ['app/services/x.ts', '../http/schemas/auth', /domain may import only .*app\/http\//],
    ['app/ops/x/y.ts', '../../http/schemas/auth', /domain may import only .*app\/http\//],
    ['models/mixins/x.ts', '../../app/history/captured-table', /app\/history\/ \(domain\)/],
    ['app/errors.ts', './db/database', /kernel may import only kernel; app\/db\/ \(db\)/],
    ['app/context/x.ts', '../registry/tables', /kernel may import only kernel;/],
    ['app/registry/x.ts', '../db/sequelize', /registry may import only kernel, registry;/],
    ['app/history/x.ts', '../../models', /run by migrations: .* not models\//],
    ['app/audit/x.ts', '../services/campaign-service', /run by migrations: .* not app\/services\//],
    ['migrations/20990101000000-x.ts', '../models', /a migration may import only .* not models\//],
    ['migrations/20990101000000-x.ts', '../app/services/x', /a migration may import only/],
    ['app/services/x.ts', '../../test/support/callers', /nothing imports test\//],
    ['app/db/x.ts', '../../migrations/20261120000000-create-system-user', /nothing imports/],
    ['bench/x.ts', '../test/support/pgbouncer', /nothing imports test\//],
  ];
  for (const [file, specifier, rule] of reported) {
    it(`when ${file} imports '${specifier}', reports the layer rule it breaks`, async () => {
      const errors = await layerErrors(file, importing(specifier));
      expect(errors, `no layer error for ${file} -> ${specifier}`).to.have.length(1);
      expect(errors[0]).to.match(rule);
      expect(errors[0]).to.include('docs/architecture.md');
    });
  }

  const allowed: Array<[string, string]> = [
    ['models/x.ts', '../app/db/history-settings'],
    ['models/x.ts', '../app/context'],
    ['models/x.ts', './user'],
    ['app/db/x.ts', '../config'],
    ['app/db/x.ts', '../registry/tables'],
    ['app/registry/x.ts', '../errors'],
    ['app/services/x.ts', '../../models'],
    ['app/services/x.ts', '../auth/username'],
    ['app/ops/x.ts', '../history/prune'],
    ['app/audit/x.ts', '../history/history-spec'],
    ['app/audit/x.ts', '../db/migration-lib/audit-archive'],
    ['app/http/routes/x.ts', '../../services/campaign-service'],
    ['app/server.ts', './cli/run-main'],
    ['migrations/20990101000000-x.ts', '../app/audit/migration-steps'],
    ['migrations/20990101000000-x.ts', '../app/db/migration-lib/online-ddl'],
    ['seeders/20990101000000-x.ts', '../models'],
    ['test/unit/x.test.ts', '../../app/db/migration-lib/online-ddl'],
    ['app/cli/run-main.ts', '../db/migration-lib/online-ddl'],
    ['bench/pooler.ts', '../app/dev/pgbouncer'],
  ];
  for (const [file, specifier] of allowed) {
    it(`when ${file} imports '${specifier}', reports nothing`, async () => {
      expect(await layerErrors(file, importing(specifier))).to.deep.equal([]);
    });
  }

  it('when a folder or file is added under app/ or a code folder, it has a place in the layer map', async () => {
    const entries = [
      ...fs
        .readdirSync(path.join(ROOT, 'app'), { withFileTypes: true })
        .filter((entry) => entry.isDirectory() || entry.name.endsWith('.ts'))
        .map((entry) => (entry.isDirectory() ? `app/${entry.name}/probe.ts` : `app/${entry.name}`)),
      ...['models', 'migrations', 'seeders', 'bench'].map((folder) => `${folder}/probe.ts`),
    ];
    const unplaced: string[] = [];
    for (const file of entries) {
      const config = (await eslint.calculateConfigForFile(path.join(ROOT, file))) as {
        rules: Record<string, unknown>;
      };
      if (!config.rules['no-restricted-imports']) unplaced.push(file.replace('/probe.ts', '/'));
    }
    expect(unplaced, 'not in the layer map of eslint.config.mjs').to.deep.equal([]);
  });

  it('when eslint.config.mjs names a file of app/ or bench/ (an exception), the file exists', () => {
    const source = fs.readFileSync(path.join(ROOT, 'eslint.config.mjs'), 'utf8');
    const named = [...source.matchAll(/'((?:app|bench)\/[\w/.-]+\.ts)'/g)].map((m) => m[1]!);
    expect(named.length).to.be.greaterThan(5);
    const missing = named.filter((file) => !fs.existsSync(path.join(ROOT, file)));
    expect(missing, 'files named in eslint.config.mjs that do not exist').to.deep.equal([]);
  });
});
