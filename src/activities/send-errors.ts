/** Why an attempt failed, as recorded with it. */
export const attemptErrorClasses = [
  'timeout',
  'connection_refused',
  'connection_reset',
  'dns_error',
  'blocked_target',
  'tls_error',
  'http_status',
  'invalid_url',
  'network_error',
  /** Not an answer of the receiver: the delivery can never be made (its data is gone, or its secret no longer decrypts). */
  'undeliverable',
] as const;
export type AttemptErrorClass = (typeof attemptErrorClasses)[number];

const classByCode: Record<string, AttemptErrorClass> = {
  ERR_BLOCKED_TARGET: 'blocked_target',
  ENOTFOUND: 'dns_error',
  EAI_AGAIN: 'dns_error',
  EAI_FAIL: 'dns_error',
  EAI_NODATA: 'dns_error',
  EAI_NONAME: 'dns_error',
  ECONNREFUSED: 'connection_refused',
  ECONNRESET: 'connection_reset',
  EPIPE: 'connection_reset',
  UND_ERR_SOCKET: 'connection_reset', // undici: "other side closed"
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  EPROTO: 'tls_error', // e.g. TLS spoken to a plain-HTTP port
};

/** OpenSSL and Node certificate and handshake failure codes. */
const tlsCode = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/;

function classOf(code: unknown): AttemptErrorClass | undefined {
  if (typeof code !== 'string') return undefined;
  return classByCode[code] ?? (tlsCode.test(code) ? 'tls_error' : undefined);
}

/**
 * The error and what it wraps: undici and Node nest the useful code in `cause` or `errors`. Duck
 * typed, because errors from another realm (Node internals under jest's vm) fail `instanceof`.
 */
function* chain(error: unknown, depth = 0): Generator<{ message?: unknown; code?: unknown; reason?: unknown }> {
  if (typeof error !== 'object' || error === null || depth > 5) return;
  const { errors, cause } = error as { errors?: unknown; cause?: unknown };
  yield error;
  if (Array.isArray(errors)) for (const inner of errors) yield* chain(inner, depth + 1);
  yield* chain(cause, depth + 1);
}

/** OpenSSL messages carry an error queue dump; its `reason` is what a reader needs. */
function readable({ message, code, reason }: { message?: unknown; code?: unknown; reason?: unknown }): string {
  if (typeof reason === 'string' && /SSL routines/.test(String(message))) return `TLS handshake failed: ${reason} (${String(code)})`;
  return String(message).trim();
}

/** Maps a failed request to its error class and the message worth recording. */
export function classifySendError(error: unknown): { errorClass: AttemptErrorClass; errorMessage: string } {
  const errors = [...chain(error)];
  // A refusal wins over whatever else the chain says: it is the decision operators need to see.
  const blocked = errors.find((e) => e.code === 'ERR_BLOCKED_TARGET');
  if (blocked) return { errorClass: 'blocked_target', errorMessage: String(blocked.message) };
  for (const e of errors) {
    const errorClass = classOf(e.code);
    if (errorClass) return { errorClass, errorMessage: readable(e) };
  }
  const message = errors[0]?.message;
  return { errorClass: 'network_error', errorMessage: typeof message === 'string' && message ? message : String(error) };
}
