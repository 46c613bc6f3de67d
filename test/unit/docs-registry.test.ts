import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { auditMigrationsOf } from '../../app/audit/audit-spec';
import { CAPTURED_KINDS, TABLE_NAMES } from '../../app/registry';

// The docs' lists of audited tables and kinds, and the recipe for auditing
// another table, are held against the registry and the migration files:
// a table added to the registry without the docs, or a recipe step that no
// longer exists, fails here.

const DOCS = path.resolve(__dirname, '..', '..', 'docs');
const read = (name: string) => fs.readFileSync(path.join(DOCS, name), 'utf8');
const WIDGETS_MIGRATIONS = path.resolve(__dirname, '..', 'fixtures', 'widgets', 'migrations');

describe('The docs against the registry', () => {
  it('when docs/audit.md says which tables record who changed them, it names every declared table', () => {
    const opening = read('audit.md').split('\n\n')[1]!.toLowerCase();
    expect(TABLE_NAMES.filter((table) => !opening.includes(table))).to.deep.equal([]);
  });

  it('when docs/history.md lists the kinds of the activity, it names every captured kind', () => {
    const history = read('history.md');
    expect(CAPTURED_KINDS.filter((kind) => !history.includes(`\`${kind}\``))).to.deep.equal([]);
  });

  it("when docs/audit.md gives the steps of auditing another table, they are exactly the steps the recipe's own test table runs", () => {
    const recipe = read('audit.md').split('## Auditing another table')[1]!;
    const steps = [...recipe.matchAll(/^\s*\| `([a-z-]+)`\s*\|/gm)].map((m) => m[1]);
    expect(steps).to.deep.equal(Object.keys(auditMigrationsOf('widgets', WIDGETS_MIGRATIONS)));
  });
});
