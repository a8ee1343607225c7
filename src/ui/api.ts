/** The REST API as the Platform UI uses it: Bearer auth, JSON, and errors in plain words. */

export type SessionKind = 'admin' | 'integration';

export interface Session {
  kind: SessionKind;
  token: string;
}

export interface Integration {
  id: string;
  name: string;
  createdAt: string;
}

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  consecutiveFailures: number;
  disabledReason: string | null;
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Until then the secret from before the last rotation also signs deliveries. */
  previousSecretExpiresAt?: string | null;
  secret?: string;
}

export interface EventType {
  name: string;
  description: string;
  subscribable?: boolean;
}

export interface Delivery {
  id: string;
  workflowId: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: string;
  attemptCount: number;
  redeliveryOf: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface Attempt {
  attempt: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  error: { class: string; message: string | null } | null;
  responseExcerpt: string | null;
  /** The wait before the next attempt (longer than scheduled when the receiver sent Retry-After); null after the last. */
  nextAttemptInMs: number | null;
}

export interface DeliveryDetail extends Delivery {
  attempts: Attempt[];
}

export interface ErrorDetail {
  path: string;
  message: string;
}

/** A request the API refused, or one that never reached it (status 0). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** The credential was refused (401): the app signs out; callers show nothing more. */
export class SignedOut extends Error {
  constructor() {
    super('Signed out');
    this.name = 'SignedOut';
  }
}

export const integrationTokenPrefix = 'eudr_live_';

export const kindOf = (token: string): SessionKind => (token.startsWith(integrationTokenPrefix) ? 'integration' : 'admin');

/** Where one integration's routes live: its own for a token, under its id for an admin. */
export function integrationBase(session: Session, integrationId?: string): string {
  if (session.kind === 'integration') return '/api/v1/integration';
  return `/api/v1/admin/integrations/${encodeURIComponent(integrationId ?? '')}`;
}

export type UnauthorizedHandler = () => void;

export class ApiClient {
  constructor(
    private readonly token: string,
    private readonly onUnauthorized: UnauthorizedHandler,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      throw new ApiFailure(0, 'network', 'Could not reach the server. Check your connection and try again.');
    }
    if (res.status === 401) {
      this.onUnauthorized();
      throw new SignedOut();
    }
    if (res.status === 204) return undefined as T;
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      json = undefined;
    }
    if (!res.ok) throw failureFrom(res.status, json);
    return json as T;
  }
}

/** Checks a credential without keeping it; resolves to the kind it turned out to be. */
export async function verifyCredential(token: string): Promise<SessionKind> {
  const kind = kindOf(token);
  let refused = false;
  const client = new ApiClient(token, () => (refused = true));
  try {
    await client.get(kind === 'integration' ? '/api/v1/integration/webhook-events' : '/api/v1/admin/integrations');
  } catch (err) {
    if (refused) {
      throw new ApiFailure(
        401,
        'unauthorized',
        kind === 'integration'
          ? 'That integration token was not accepted. It may have been revoked; check it and try again.'
          : 'That admin key was not accepted. Check it and try again. Integration tokens start with eudr_live_.',
      );
    }
    throw err;
  }
  return kind;
}

const statusMessages: Record<number, string> = {
  404: 'Not found. It may have been deleted.',
  409: 'That conflicts with the current state; refresh and try again.',
  413: 'The request is too large.',
  429: 'Too many requests; wait a moment and try again.',
  500: 'Something went wrong on the server; try again.',
  503: 'The service is temporarily unavailable; try again shortly.',
};

function failureFrom(status: number, json: unknown): ApiFailure {
  const error = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : 'http_' + status;
  const message =
    typeof error?.message === 'string' && status < 500 ? error.message : statusMessages[status] ?? `The server answered ${status}.`;
  const details = Array.isArray(error?.details)
    ? error.details
        .filter((d): d is ErrorDetail => typeof d === 'object' && d !== null && typeof (d as ErrorDetail).message === 'string')
        .map((d) => ({ path: typeof d.path === 'string' ? d.path : '', message: d.message }))
    : [];
  return new ApiFailure(status, code, message, details);
}

const fieldNames: Record<string, string> = {
  url: 'URL',
  events: 'Events',
  description: 'Description',
  active: 'Status',
  gracePeriodSeconds: 'Grace period',
};

/** "events.0" → "Events"; unknown fields get their own name, capitalised. */
export function fieldLabel(path: string): string {
  const head = path.split('.')[0] ?? '';
  if (!head) return '';
  return fieldNames[head] ?? head.charAt(0).toUpperCase() + head.slice(1);
}

/** Messages meant for API clients sometimes carry a JSON hint in parentheses; people do not need it. */
const plain = (message: string) => message.replace(/\s*\([^()]*[{}][^()]*\)/g, '').trim();

/** An error as lines of plain words: one per invalid field ("URL: must use https"), else the message. */
export function describeError(err: unknown): string[] {
  if (err instanceof ApiFailure) {
    if (err.details.length > 0) {
      const lines = err.details.map((d) => {
        const label = fieldLabel(d.path);
        return label ? `${label}: ${plain(d.message)}` : plain(d.message);
      });
      return [...new Set(lines)];
    }
    return [plain(err.message) || 'The request failed.'];
  }
  return ['Something went wrong in the page; reload it and try again.'];
}
