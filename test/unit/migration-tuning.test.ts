import { expect } from 'chai';
import { ConfigError } from '../../app/config';
import { migrationTuning } from '../../app/db/migration-lib/tuning';

describe('Migration tuning', () => {
  it('when nothing is set, uses the documented defaults', () => {
    expect(migrationTuning({})).to.deep.equal({
      lockTimeoutMs: 50,
      ddlAttempts: 40,
      batchTargetMs: 50,
      firstBatch: 1000,
      batchPauseMs: 0,
    });
  });

  for (const [name, value] of [
    ['GMA_DDL_LOCK_TIMEOUT_MS', '0'],
    ['GMA_DDL_ATTEMPTS', 'many'],
    ['GMA_BACKFILL_BATCH_MS', '50ms'],
    ['GMA_BACKFILL_FIRST_BATCH', '-5'],
    ['GMA_BACKFILL_PAUSE_MS', '1.5'],
  ] as const) {
    it(`when ${name}=${value}, stops with a ConfigError naming ${name} instead of falling back`, () => {
      expect(() => migrationTuning({ [name]: value }))
        .to.throw(ConfigError)
        .with.property('variable', name);
    });
  }
});
