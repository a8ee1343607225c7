import { nextAttemptDelay, retryAfterMs } from '../../src/activities/retry-after';

const now = Date.parse('2026-11-28T12:00:00Z');

describe('retryAfterMs', () => {
  it.each([
    ['whole seconds', '3', 3000],
    ['zero', '0', 0],
    ['seconds with spaces around', ' 120 ', 120_000],
    ['an IMF date', 'Sat, 28 Nov 2026 12:00:05 GMT', 5000],
    ['an RFC 850 date', 'Saturday, 28-Nov-26 12:01:00 GMT', 60_000],
    ['a date in the past', 'Sat, 28 Nov 2026 11:00:00 GMT', 0],
  ])('reads %s', (_, header, expected) => {
    expect(retryAfterMs(429, header, now)).toBe(expected);
    expect(retryAfterMs(503, header, now)).toBe(expected);
  });

  it.each([['a fraction', '1.5'], ['a negative number', '-1'], ['words', 'soon'], ['nothing', ''], ['a date that is not one', 'Mon, 99 Foo 2026 GMT']])(
    'ignores %s',
    (_, header) => expect(retryAfterMs(429, header, now)).toBeNull(),
  );

  it('ignores Retry-After on statuses that do not ask for back-pressure', () => {
    for (const status of [400, 408, 410, 500, 502, 504]) expect(retryAfterMs(status, '3', now)).toBeNull();
  });

  it('is null without the header and reads the first of repeated ones', () => {
    expect(retryAfterMs(429, undefined, now)).toBeNull();
    expect(retryAfterMs(429, ['2', '9'], now)).toBe(2000);
  });
});

describe('nextAttemptDelay', () => {
  it('is the scheduled delay, stretched to the receiver\'s wish, up to the cap', () => {
    expect(nextAttemptDelay(1000, null, 300_000)).toBe(1000);
    expect(nextAttemptDelay(5000, 3000, 300_000)).toBe(5000);
    expect(nextAttemptDelay(1000, 3000, 300_000)).toBe(3000);
    expect(nextAttemptDelay(1000, 3_600_000, 300_000)).toBe(300_000);
    // A cap below the schedule never shortens it.
    expect(nextAttemptDelay(30_000, 3_600_000, 10_000)).toBe(30_000);
  });
});
