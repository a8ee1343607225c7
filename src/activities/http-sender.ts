import { rootCertificates } from 'node:tls';
import { Agent, request, type Dispatcher } from 'undici';
import { createSafeConnector, type Resolver } from './safe-connect';
import { retryAfterMs } from './retry-after';
import { classifySendError, type AttemptErrorClass } from './send-errors';

export { attemptErrorClasses, type AttemptErrorClass } from './send-errors';

export interface SendRequest {
  url: string;
  /** Sent as given: the caller sets Content-Type, User-Agent and the webhook headers. */
  headers: Record<string, string>;
  body: string;
}

/** One attempt as it is recorded. */
export interface SendResult {
  ok: boolean;
  /** ISO 8601 */
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  errorClass: AttemptErrorClass | null;
  errorMessage: string | null;
  /** The first 1 KiB of the response body, UTF-8 decoded. */
  responseExcerpt: string | null;
  /** How long the receiver asked to be left alone (Retry-After on a 429 or 503), in ms; null when it did not. */
  retryAfterMs: number | null;
}

export interface HttpSenderOptions {
  /** Development and tests only: lets attempts reach loopback and private addresses. */
  allowPrivateTargets: boolean;
  /** Budget for the whole attempt: DNS, connect, TLS, headers and body. */
  timeoutMs: number;
  /** Replaces the system DNS resolver when targets are checked, so tests can pick what names resolve to. */
  resolve?: Resolver;
  /**
   * Tests only: one more certificate authority to trust (PEM), beside the system's, so a receiver
   * with a test certificate can be reached over HTTPS. Never set in production.
   */
  extraCaCertificate?: string;
}

export interface HttpSender {
  /** Sends one POST; aborting `signal` (the activity's cancellation) aborts the request. */
  send(request: SendRequest, signal?: AbortSignal): Promise<SendResult>;
  close(): Promise<void>;
}

const excerptBytes = 1024;
/** Bodies are read this far and no further, so a huge or endless answer cannot hold an attempt. */
const maxBodyBytes = 64 * 1024;

/**
 * Sends webhook POSTs. One keep-alive Agent per sender (the worker makes one), so consecutive
 * deliveries and retries to the same receiver reuse connections instead of handshaking again.
 */
export function createHttpSender({ allowPrivateTargets, timeoutMs, resolve, extraCaCertificate }: HttpSenderOptions): HttpSender {
  const ca = extraCaCertificate ? [...rootCertificates, extraCaCertificate] : undefined;
  const agent = new Agent({
    connect: allowPrivateTargets ? { timeout: timeoutMs, ca } : createSafeConnector({ timeoutMs, resolve, ca }),
  });
  return {
    send: (req, signal) => sendOnce(agent, req, timeoutMs, signal),
    close: () => agent.close(),
  };
}

type Outcome = Omit<SendResult, 'startedAt' | 'durationMs'>;

async function sendOnce(agent: Agent, { url, headers, body }: SendRequest, timeoutMs: number, cancel?: AbortSignal): Promise<SendResult> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const finish = (outcome: Outcome): SendResult => ({ startedAt, durationMs: Math.round(performance.now() - started), ...outcome });
  const failure = (errorClass: AttemptErrorClass, errorMessage: string, statusCode: number | null = null): SendResult =>
    finish({ ok: false, statusCode, errorClass, errorMessage, responseExcerpt: null, retryAfterMs: null });

  const invalid = urlProblem(url);
  if (invalid) return failure('invalid_url', invalid);

  // One deadline for everything, including the body: undici's own timeouts each cover one phase.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  let statusCode: number | null = null;
  try {
    // Redirects are never followed: undici follows none unless given a redirect interceptor.
    const signal = cancel ? AbortSignal.any([deadline.signal, cancel]) : deadline.signal;
    const response = await request(url, { dispatcher: agent, method: 'POST', headers, body, signal });
    statusCode = response.statusCode;
    const responseExcerpt = excerpt(await readCapped(response.body));
    if (statusCode >= 200 && statusCode < 300) {
      return finish({ ok: true, statusCode, errorClass: null, errorMessage: null, responseExcerpt, retryAfterMs: null });
    }
    const retryAfter = response.headers['retry-after'];
    const asked = retryAfterMs(statusCode, retryAfter, Date.now());
    const errorMessage = asked === null ? `HTTP ${statusCode}` : `HTTP ${statusCode}, Retry-After: ${String(retryAfter)}`;
    return finish({ ok: false, statusCode, errorClass: 'http_status', errorMessage, responseExcerpt, retryAfterMs: asked });
  } catch (error) {
    if (cancel?.aborted) return failure('network_error', 'request aborted: the delivery was cancelled', statusCode);
    if (deadline.signal.aborted) {
      const partial = statusCode === null ? '' : ` (status ${statusCode} received, body unfinished)`;
      return failure('timeout', `no complete response within ${timeoutMs} ms${partial}`, statusCode);
    }
    const { errorClass, errorMessage } = classifySendError(error);
    return failure(errorClass, errorMessage, statusCode);
  } finally {
    clearTimeout(timer);
  }
}

function urlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `not a valid URL: ${url}`;
  }
  return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? null : `unsupported URL scheme ${parsed.protocol}`;
}

/**
 * Reads the body to its end when small, which lets the connection go back to the pool; past
 * maxBodyBytes it destroys the body (and so the connection) rather than wait for the rest.
 */
function readCapped(body: Dispatcher.ResponseData['body']): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBodyBytes) {
        resolve(Buffer.concat(chunks));
        body.destroy(); // its abort error goes to `reject` below, a no-op once resolved
      }
    });
    body.on('end', () => resolve(Buffer.concat(chunks)));
    body.on('error', reject);
  });
}

/** PostgreSQL text cannot hold NUL, so a binary answer must not break recording the attempt. */
function excerpt(bytes: Buffer): string {
  return bytes.subarray(0, excerptBytes).toString('utf8').replace(/\0/g, '\uFFFD');
}
