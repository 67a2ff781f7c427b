import { describe, expect, test } from 'vitest';
import { reportCsv } from './model.ts';

const line = { currency: 'CNY', sent: 20_850, received: 19_595, feesPaid: 151, feesReceived: 125, net: -1_281 };

describe('the report as CSV', () => {
  test('a negative net stays a number; a text cell that starts like a formula is escaped', () => {
    const csv = reportCsv({
      windowId: 'win_1',
      businessDate: '2026-12-04',
      lines: [
        { ...line, participantId: 'par_1' },
        { ...line, participantId: '=HYPERLINK("http://x")' },
        { ...line, participantId: '-2+3' },
        { ...line, participantId: '@SUM(A1)' },
      ],
    });
    expect(csv.split('\r\n')).toEqual([
      'windowId,businessDate,participantId,currency,sent,received,feesPaid,feesReceived,net',
      'win_1,2026-12-04,par_1,CNY,20850,19595,151,125,-1281',
      `win_1,2026-12-04,"'=HYPERLINK(""http://x"")",CNY,20850,19595,151,125,-1281`,
      "win_1,2026-12-04,'-2+3,CNY,20850,19595,151,125,-1281",
      "win_1,2026-12-04,'@SUM(A1),CNY,20850,19595,151,125,-1281",
      '',
    ]);
  });
});
