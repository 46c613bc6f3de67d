import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { firstAuditMigration } from '../../app/audit/audit-spec';
import { importClosure, projectPath } from '../../app/db/import-closure';
import {
  checkReleased,
  describeChange,
  fileHash,
  readReleased,
  recordReleased,
  RELEASED_CHANGE_HELP,
  type ReleaseCheck,
} from '../../app/db/released-migrations';
import { MIGRATIONS_DIR, listMigrationFiles } from '../../app/db/migration-files';

/** Every released migration that imports the backfill helper, directly or not. */
const USERS_OF_AUDIT_BACKFILL = [
  '20261124100000-add-audit-fields-to-characters.ts',
  '20261124100100-add-audit-fields-to-items.ts',
  '20261124100200-add-audit-fields-to-locations.ts',
  '20261124100300-create-audit-backfill-log.ts',
  '20261124100400-backfill-audit-fields-of-characters.ts',
  '20261124100500-backfill-audit-fields-of-items.ts',
  '20261124100600-backfill-audit-fields-of-locations.ts',
];

/**
 * A copy of the migrations and every project file they import, laid out as in
 * the project, released (recorded) as they are: edits here touch nothing real.
 */
class ScratchProject {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-released-'));
  readonly migrations = path.join(this.root, 'migrations');
  readonly record = path.join(this.root, 'released-migrations.json');

  constructor() {
    const files = new Set<string>();
    for (const name of listMigrationFiles(MIGRATIONS_DIR)) {
      for (const file of importClosure(path.join(MIGRATIONS_DIR, name))) files.add(file);
    }
    for (const file of files) {
      const copy = path.join(this.root, projectPath(file));
      fs.mkdirSync(path.dirname(copy), { recursive: true });
      fs.copyFileSync(file, copy);
    }
  }

  release(): void {
    recordReleased(this.migrations, this.record, this.root);
  }

  check(): ReleaseCheck {
    return checkReleased(
      this.migrations,
      readReleased(this.record, this.migrations, this.root),
      this.root,
    );
  }

  /** Replaces the first line containing `search` in a project file of the copy. */
  editLine(file: string, search: string, replacement: string): void {
    const full = path.join(this.root, file);
    const lines = fs.readFileSync(full, 'utf8').split('\n');
    const index = lines.findIndex((line) => line.includes(search));
    if (index < 0) throw new Error(`${file} has no line containing ${search}`);
    lines[index] = replacement;
    fs.writeFileSync(full, lines.join('\n'));
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

describe('Data integrity: drift guard, released migrations and what they import', () => {
  let scratch: ScratchProject | undefined;
  afterEach(() => {
    scratch?.remove();
    scratch = undefined;
  });

  it('when compared with the checked-in record, no released migration nor any file it imports was edited or removed', () => {
    const { changed, missing } = checkReleased();
    expect(changed.map(describeChange), RELEASED_CHANGE_HELP).to.deep.equal([]);
    expect(missing, 'released but deleted').to.deep.equal([]);
  });

  it('when the pre-audit baseline is checked, it is recorded as released', () => {
    const released = readReleased();
    const all = listMigrationFiles(MIGRATIONS_DIR);
    const baseline = all.slice(0, all.indexOf(firstAuditMigration()));
    expect(baseline).to.not.be.empty;
    for (const name of baseline) expect(released, name).to.have.property(name);
  });

  it('when a released backfill is recorded, its record lists the helpers it imports, transitively, and no package file', () => {
    const recorded = readReleased()['20261124100500-backfill-audit-fields-of-items.ts'];
    expect(Object.keys(recorded ?? {})).to.include.members([
      'migrations/20261124100500-backfill-audit-fields-of-items.ts',
      'app/db/migration-helpers/audit-backfill.ts',
      // Imported by audit-backfill.ts, not by the migration itself.
      'app/db/migration-helpers/batched-backfill.ts',
      'app/db/sql-identifier.ts',
    ]);
    expect(Object.keys(recorded ?? {}).filter((f) => f.includes('node_modules'))).to.deep.equal([]);
  });

  it('when one line of a backfill helper changes, the guard names each released migration that imports it, and that helper', () => {
    scratch = new ScratchProject();
    scratch.release();
    expect(scratch.check().changed).to.deep.equal([]);

    scratch.editLine(
      'app/db/migration-helpers/audit-backfill.ts',
      'WHERE',
      '        WHERE TRUE -- changed after release',
    );

    const { changed } = scratch.check();
    expect(changed).to.deep.equal(
      USERS_OF_AUDIT_BACKFILL.map((migration) => ({
        migration,
        file: 'app/db/migration-helpers/audit-backfill.ts',
        change: 'edited',
      })),
    );
    expect(changed.map(describeChange)).to.include(
      '20261124100500-backfill-audit-fields-of-items.ts imports ' +
        'app/db/migration-helpers/audit-backfill.ts, which changed since release',
    );
  });

  it('when a helper that a released migration reaches only through another helper changes, the guard names that helper', () => {
    scratch = new ScratchProject();
    scratch.release();

    scratch.editLine('app/db/migration-helpers/batched-backfill.ts', 'export', '// changed');

    expect(scratch.check().changed).to.deep.equal(
      USERS_OF_AUDIT_BACKFILL.map((migration) => ({
        migration,
        file: 'app/db/migration-helpers/batched-backfill.ts',
        change: 'edited',
      })),
    );
  });

  it('when a released migration file changes by one character, the guard reports that file alone', () => {
    scratch = new ScratchProject();
    scratch.release();
    const name = '20261124101100-index-audit-fields-of-items.ts';

    fs.appendFileSync(path.join(scratch.migrations, name), ' ');

    const { changed } = scratch.check();
    expect(changed).to.deep.equal([
      { migration: name, file: `migrations/${name}`, change: 'edited' },
    ]);
    expect(describeChange(changed[0]!)).to.equal(
      `${name} (migrations/${name}) changed since release`,
    );
  });

  it('when the record holds a file hash alone (the first format), recording adds the imports of an unchanged file and keeps reporting a changed one', () => {
    scratch = new ScratchProject();
    const kept = '20261124100400-backfill-audit-fields-of-characters.ts';
    const edited = '20261124100500-backfill-audit-fields-of-items.ts';
    const first = Object.fromEntries(
      [kept, edited].map((name) => [name, fileHash(path.join(scratch!.migrations, name))]),
    );
    fs.writeFileSync(scratch.record, JSON.stringify(first));
    fs.appendFileSync(path.join(scratch.migrations, edited), ' ');

    const { upgraded } = recordReleased(scratch.migrations, scratch.record, scratch.root);

    expect(upgraded).to.deep.equal([kept]);
    const stored = JSON.parse(fs.readFileSync(scratch.record, 'utf8'));
    expect(stored[kept]).to.have.property('app/db/migration-helpers/audit-backfill.ts');
    expect(stored[edited]).to.equal(first[edited]);
    expect(scratch.check().changed).to.deep.equal([
      { migration: edited, file: `migrations/${edited}`, change: 'edited' },
    ]);
  });

  it('when a file imports JSON and a package, the JSON is followed unless excluded (the release record is) and the package never', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-closure-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'entry.ts'),
        "import record from './record.json';\nimport type { Model } from 'sequelize';\nimport { b } from './b';\n",
      );
      fs.writeFileSync(path.join(dir, 'b.ts'), 'export const b = 1;\n');
      fs.writeFileSync(path.join(dir, 'record.json'), '{}\n');
      const names = (files: string[]) => files.map((f) => path.basename(f));

      expect(names(importClosure(path.join(dir, 'entry.ts'), { root: dir }))).to.deep.equal([
        'b.ts',
        'entry.ts',
        'record.json',
      ]);
      expect(
        names(
          importClosure(path.join(dir, 'entry.ts'), {
            root: dir,
            exclude: [path.join(dir, 'record.json')],
          }),
        ),
      ).to.deep.equal(['b.ts', 'entry.ts']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
