import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';

// The service's JSON error answers, `{"error": {code, message, details?}}`: the API's and those of the worker's probes.

export const errorStatuses = {
  validation_failed: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof errorStatuses;

export interface ErrorDetail {
  path: string;
  message: string;
}

/** Thrown by handlers for any answer that is not a success; the error handler renders it. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = errorStatuses[code];
  }
}

export const notFound = (what = 'Resource') => new ApiError('not_found', `${what} not found`);

/** Answers any route the API does not serve. */
export const unknownRoute: RequestHandler = (req) => {
  throw new ApiError('not_found', `No route for ${req.method} ${req.path}`);
};

const connectionErrorCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P03']);

/** gRPC statuses from Temporal that mean "not reachable now": UNAVAILABLE, DEADLINE_EXCEEDED. */
const grpcUnavailable = new Set([14, 4]);

/** True for failures that mean a dependency (database, Temporal) is unreachable rather than a bug. */
function isUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, name, message, cause } = err as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string' && connectionErrorCodes.has(code)) return true;
  if (typeof code === 'number' && grpcUnavailable.has(code)) return true;
  if (name === 'KnexTimeoutError' || name === 'ServiceError' || name === 'TransportError') return true;
  // node-postgres names a connection that broke mid-query or mid-transaction only in its message (no code).
  if (typeof message === 'string' && /Connection terminated|connect ECONNREFUSED|is not queryable/.test(message)) return true;
  return cause !== undefined && cause !== err && isUnavailable(cause);
}

/** Body-parser failures carry a `type`; map the ones a client causes to their codes. */
function fromBodyParser(err: { type?: unknown }): ApiError | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return new ApiError('validation_failed', 'Request body is not valid JSON');
    case 'entity.too.large':
      return new ApiError('payload_too_large', 'Request body is larger than 1 MiB');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError('unsupported_media_type', 'Request body must be UTF-8 JSON');
    default:
      return undefined;
  }
}

/** The router refuses a path parameter that is not valid percent-encoding (`%E0%A4%A`). */
const isBadPathEncoding = (err: unknown) => err instanceof URIError && (err as { status?: unknown }).status === 400;

/** Turns anything thrown into the JSON error shape; never leaks a stack trace. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    let apiError = err instanceof ApiError ? err : fromBodyParser(err ?? {});
    if (!apiError && isBadPathEncoding(err)) apiError = new ApiError('validation_failed', 'The request path is not valid percent-encoding');
    if (!apiError && isUnavailable(err)) {
      logger.warn({ err, path: req.path }, 'dependency unavailable');
      apiError = new ApiError('unavailable', 'A backing service is unavailable; try again shortly');
    }
    if (!apiError) {
      logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
      apiError = new ApiError('internal', 'Internal server error');
    }
    if (apiError.code === 'unauthorized') res.set('WWW-Authenticate', 'Bearer');
    const body: { code: string; message: string; details?: ErrorDetail[] } = {
      code: apiError.code,
      message: apiError.message,
    };
    if (apiError.details.length > 0) body.details = apiError.details;
    res.status(apiError.status).json({ error: body });
  };
}
