import { expect } from 'chai';
import { BETWEEN_STEPS, StepTimeline, writesBySteps } from '../../app/dev/step-timeline';

describe('Benchmarks: writes placed in the migration step they started in', () => {
  it("when the runner's step lines arrive in chunks split mid-line, each step gets the times its start and end lines arrived, and other lines are ignored", () => {
    const timeline = new StepTimeline();
    timeline.line('== 20261124100000-add-audit-fields-to-characters.ts: migrating', 1000);
    timeline.line('characters: 10/20 rows (50.0%), 10 rows/s, about 1 s left', 1100);
    timeline.line('== 20261124100000-add-audit-fields-to-characters.ts: migrated (40 ms)', 1040);
    timeline.chunk('== 2026-b.ts: migr', 2000);
    timeline.chunk('ating\nnoise\n== 2026-b.ts: mig', 2010);
    timeline.chunk('rated (1 ms)\n', 2050);

    expect(timeline.steps.map((s) => s.name)).to.deep.equal([
      '20261124100000-add-audit-fields-to-characters.ts',
      '2026-b.ts',
    ]);
    expect(timeline.steps[0]).to.include({ startedAt: 1000, endedAt: 1040 });
    expect(timeline.steps[1]).to.include({ startedAt: 2010, endedAt: 2050 });
  });

  it('when writes start inside, between, before and after the steps, each counts in the step it started in, the ones between steps under their own row, and the others nowhere', () => {
    const steps = [
      { name: 'b.ts', startedAt: 200, endedAt: 300 },
      { name: 'a.ts', startedAt: 100, endedAt: 150 },
    ];
    const rows = writesBySteps(steps, [
      { startedAt: 50, ms: 1 },
      { startedAt: 100, ms: 2 },
      { startedAt: 149, ms: 3 },
      { startedAt: 150, ms: 4 },
      { startedAt: 250, ms: 2100 },
      { startedAt: 300, ms: 5 },
    ]);

    expect(rows.map((r) => [r.name, r.ms, r.latencies])).to.deep.equal([
      ['a.ts', 50, [2, 3]],
      ['b.ts', 100, [2100]],
      [BETWEEN_STEPS, 0, [4]],
    ]);
  });
});
