import {
  answerText,
  clockTime,
  deliveryMetadata,
  deliveryProgress,
  duration,
  healthProgress,
  healthSummary,
  hostAndPath,
  scheduleText,
} from '../../src/domain/workflow-metadata';

const input = { deliveryId: 'dlv_1', eventId: 'evt_1', webhookId: 'wh_1', integrationId: 'int_1', eventType: 'supplier.created' };
const schedule = { retryDelaysMs: [1000, 5000, 30000], attemptTimeoutMs: 10_000 };

describe('what workflows say about themselves', () => {
  it('names a delivery by its event type, target host and path, never its query string', () => {
    const { staticSummary, staticDetails } = deliveryMetadata(input, 'https://erp.example.com/webhooks/eudr?token=s3cret', schedule);
    expect(staticSummary).toBe('supplier.created → erp.example.com/webhooks/eudr');
    expect(staticDetails).toContain('`dlv_1` of event `evt_1` (`supplier.created`)');
    expect(staticDetails).toContain('- Webhook: `wh_1`');
    expect(staticDetails).toContain('- Integration: `int_1`');
    expect(staticDetails).toContain('- Target: https://erp.example.com/webhooks/eudr (and a query string, not shown)');
    expect(staticDetails).toContain('- Schedule: up to 4 attempts, retrying 1 s, 5 s and 30 s after a failure; 10 s limit per attempt');
    expect(staticDetails).not.toContain('s3cret');
    expect(hostAndPath('http://127.0.0.1:8080/')).toBe('127.0.0.1:8080');
    expect(deliveryMetadata(input, undefined, schedule).staticSummary).toBe('supplier.created → webhook wh_1');
  });

  it('says durations, times and schedules in plain words', () => {
    expect([duration(85), duration(1000), duration(1500), duration(30_000), duration(300_000)]).toEqual(['85 ms', '1 s', '1.5 s', '30 s', '5 min']);
    expect(clockTime(Date.UTC(2025, 0, 3, 13, 5, 12))).toBe('13:05:12 UTC');
    expect(clockTime(Date.UTC(2025, 0, 3, 13, 5, 12), { seconds: false })).toBe('13:05 UTC');
    expect(scheduleText({ retryDelaysMs: [], attemptTimeoutMs: 500 })).toBe('one attempt, no retries; 500 ms limit per attempt');
  });

  it("says where a delivery stands after each step, as the issue's examples do", () => {
    const http500 = { statusCode: 500, errorClass: 'http_status', errorMessage: 'HTTP 500', durationMs: 120 };
    const nextAt = Date.UTC(2025, 0, 3, 13, 5, 12);
    expect(deliveryProgress.retrying(2, 4, http500, nextAt)).toBe('attempt 2 of 4 failed: HTTP 500 in 120 ms; attempt 3 at 13:05:12 UTC');
    expect(deliveryProgress.delivered(3, { statusCode: 204, errorClass: null, errorMessage: null, durationMs: 85 })).toBe('delivered on attempt 3: HTTP 204 in 85 ms');
    expect(deliveryProgress.failed(4, 4, http500)).toBe('failed: all 4 attempts failed, the last: HTTP 500 in 120 ms');
    expect(deliveryProgress.skipped).toBe('skipped: webhook disabled');
    expect(answerText({ statusCode: null, errorClass: 'connection_refused', errorMessage: 'connect ECONNREFUSED 10.0.0.1:443', durationMs: 3 })).toBe(
      'connection refused (connect ECONNREFUSED 10.0.0.1:443) in 3 ms',
    );
    // Attempts recorded before their answer was reported (replayed histories).
    expect(answerText(undefined)).toBe('no answer recorded');
  });

  it('names a health workflow by its webhook and says its state', () => {
    expect(healthSummary('wh_1', 'https://erp.example.com:8443/webhooks/eudr')).toBe('health of webhook wh_1 (erp.example.com:8443)');
    expect(healthProgress.counting(3, 10)).toBe('3 consecutive failed deliveries (disables at 10)');
    expect(healthProgress.counting(1, 10)).toBe('1 consecutive failed delivery (disables at 10)');
    expect(healthProgress.disabled(10, Date.UTC(2025, 0, 3, 13, 5, 12))).toBe('disabled at 13:05 UTC after 10 consecutive failed deliveries');
    expect(healthProgress.disabledElsewhere(1, 10, 'gone')).toBe('webhook is disabled: its receiver answered 410 Gone; 1 consecutive failed delivery (disables at 10)');
    expect(healthProgress.disabledElsewhere(2, 10, 'manual')).toBe('webhook is disabled by hand; 2 consecutive failed deliveries (disables at 10)');
    expect(healthProgress.disabledElsewhere(2, 10, undefined)).toBe('webhook is disabled; 2 consecutive failed deliveries (disables at 10)');
  });
});
