import express, { type Request, type RequestHandler } from 'express';
import type { z } from 'zod';
import { ApiError } from '../http/errors';

const parseJson = express.json({ limit: '1mb', strict: false });
const methodsWithBody = new Set(['POST', 'PUT', 'PATCH']);

const hasBody = (req: Request) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/** Parses JSON bodies up to 1 MiB; a body of another media type answers 415. */
export const jsonBody: RequestHandler = (req, res, next) => {
  if (!methodsWithBody.has(req.method) || !hasBody(req)) return next();
  if (!req.is(['application/json', '+json'])) {
    return next(new ApiError('unsupported_media_type', 'Content-Type must be application/json'));
  }
  parseJson(req, res, next);
};

/** Text the database can store: PostgreSQL refuses the NUL character in text. */
export const storableText = (schema: z.ZodString) => schema.refine((value) => !value.includes('\u0000'), 'must not contain the NUL character (\\u0000)');

/** Parses a request body (absent counts as `{}`) against a schema, answering 400 with every problem. */
export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return parseWith(schema, req.body ?? {}, 'Request body');
}

/** Parses a value against a schema, answering 400 naming the input on failure. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ApiError(
    'validation_failed',
    `${what} is invalid`,
    result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  );
}
