import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { checkReleased, migrationHash, readReleased } from '../../app/db/released-migrations';
import { MIGRATIONS_DIR, listMigrationFiles } from '../../app/db/migration-files';

describe('Data integrity: drift guard, released migrations', () => {
  it('when compared with the checked-in hash list, no released migration was edited or removed', () => {
    const { edited, missing } = checkReleased();
    expect(edited, 'edited after release: write a new migration instead').to.deep.equal([]);
    expect(missing, 'released but deleted').to.deep.equal([]);
  });

  it('when the pre-audit baseline is checked, it is recorded as released', () => {
    const released = readReleased();
    const baseline = listMigrationFiles(MIGRATIONS_DIR).filter((n) => n.startsWith('20260101'));
    expect(baseline).to.not.be.empty;
    for (const name of baseline) expect(released, name).to.have.property(name);
  });

  it('when a released file changes by one character, the guard reports it as edited', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-released-'));
    try {
      const name = listMigrationFiles(MIGRATIONS_DIR)[0]!;
      const copy = path.join(dir, name);
      fs.copyFileSync(path.join(MIGRATIONS_DIR, name), copy);
      const released = { [name]: migrationHash(copy) };
      expect(checkReleased(dir, released).edited).to.deep.equal([]);
      fs.appendFileSync(copy, ' ');
      expect(checkReleased(dir, released).edited).to.deep.equal([name]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
