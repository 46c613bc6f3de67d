import { expect } from 'chai';
import { resolveMigrationName, UnknownMigrationError } from '../../app/db/migration-runner';

describe('resolveMigrationName', () => {
  const names = ['20260101000100-create-users.ts', '20260101000200-create-campaigns.ts'];

  it('when given the exact file name, returns it', () => {
    expect(resolveMigrationName(names[1]!, names, 'Applied')).to.equal(names[1]);
  });

  it('when given the name without its extension, returns the file name', () => {
    expect(resolveMigrationName('20260101000100-create-users', names, 'Applied')).to.equal(
      names[0],
    );
  });

  it('when given a bare prefix, refuses instead of guessing, and suggests matches', () => {
    expect(() => resolveMigrationName('2026', names, 'Applied migrations'))
      .to.throw(UnknownMigrationError)
      .with.property('message')
      .that.includes('Did you mean');
  });
});
