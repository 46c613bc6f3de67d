import { expect } from 'chai';
import { HISTORY_SETTINGS } from '../../app/db/history-settings';
import { HISTORY_SETTINGS as CAPTURE_READS } from '../../app/history/captured-table';

describe('the history settings', () => {
  it('when the app sets them (app/db) and the capture reads them (app/history, frozen), the names are the same', () => {
    expect(HISTORY_SETTINGS).to.deep.equal(CAPTURE_READS);
  });
});
