/** Statuses whose Retry-After asks the sender to slow down (RFC 9110 §10.2.3): Too Many Requests, Service Unavailable. */
const backPressureStatuses = new Set([429, 503]);

/**
 * How long a receiver asked to be left alone, in ms: its Retry-After on a 429 or 503, given as
 * whole seconds or as an HTTP date. Null when there is none, it cannot be read, or the status
 * does not ask for back-pressure. A date in the past means no wait (0).
 */
export function retryAfterMs(statusCode: number, header: string | string[] | undefined, nowMs: number): number | null {
  if (!backPressureStatuses.has(statusCode) || header === undefined) return null;
  const value = (Array.isArray(header) ? header[0] : header).trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Every HTTP date form names a month; without one, Date.parse would read "1.5" as a date.
  if (!/[A-Za-z]{3}/.test(value)) return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** The wait before the next attempt: the scheduled delay, stretched to the receiver's Retry-After up to `capMs`. */
export function nextAttemptDelay(scheduledMs: number, askedMs: number | null, capMs: number): number {
  return Math.max(scheduledMs, Math.min(askedMs ?? 0, capMs));
}
