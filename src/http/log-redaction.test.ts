import { describe, expect, test } from 'vitest';
import { redactedUrlForLog } from './log-redaction.ts';

describe('a URL as a log line shows it', () => {
  test.each([
    ['/v1/checkouts/chk_1', '/v1/checkouts/chk_1'],
    ['/share/shr_secret', '/share/[redacted]'],
    ['/v1/share/shr_secret', '/v1/share/[redacted]'],
    ['/v1/share/shr_secret?x=1', '/v1/share/[redacted]?x=[redacted]'],
    ['/v1/checkouts?limit=10&after=chk_1', '/v1/checkouts?limit=10&after=chk_1'],
    ['/v1/merchant?token=sk_live', '/v1/merchant?token=[redacted]'],
    ['/v1/statements?windowId=win_1&format=csv&key=sk_x', '/v1/statements?windowId=win_1&format=csv&key=[redacted]'],
    ['/v1/events?flag', '/v1/events?flag'],
  ])('%s → %s', (url, logged) => {
    expect(redactedUrlForLog(url)).toBe(logged);
  });
});
