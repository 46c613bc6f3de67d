import { expect } from 'chai';
import {
  RESTART_DELAY_MAX_MS,
  RESTART_DELAY_MIN_MS,
  RestartBackoff,
  STABLE_UPTIME_MS,
} from '../../app/runtime/restart-backoff';

describe('RestartBackoff', () => {
  it('when workers keep dying young, waits twice as long each time up to the ceiling', () => {
    const backoff = new RestartBackoff();
    const delays = Array.from({ length: 9 }, () => backoff.delayAfter(200));
    expect(delays).to.deep.equal([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(delays[0]).to.equal(RESTART_DELAY_MIN_MS);
    expect(Math.max(...delays)).to.equal(RESTART_DELAY_MAX_MS);
  });

  it('when a worker dies after a stable minute, the next wait starts over at the shortest', () => {
    const backoff = new RestartBackoff();
    for (let i = 0; i < 5; i++) backoff.delayAfter(100);
    expect(backoff.delayAfter(STABLE_UPTIME_MS)).to.equal(RESTART_DELAY_MIN_MS);
    expect(backoff.delayAfter(100)).to.equal(2 * RESTART_DELAY_MIN_MS);
  });
});
