/** One answer of the API as the test saw it; status 0 is no answer at all (refused, reset, timed out). */
export interface ApiAnswer {
  at: number;
  method: string;
  path: string;
  status: number;
  /** The `error.code` of an error answer. */
  code?: string;
}

export interface ApiClient {
  /** Every answer so far, in order. */
  answers: ApiAnswer[];
  /** A JSON request with `Authorization: Bearer <token>` (the admin key by default). */
  call(method: string, path: string, options?: { token?: string; body?: unknown }): Promise<{ status: number; body: unknown }>;
}

/** Far above any answer of a healthy API; only a hung request reaches it. */
const answerTimeoutMs = 30_000;

/** The API over real HTTP, recording every answer. */
export function apiClient(baseUrl: string, adminKey: string): ApiClient {
  const answers: ApiAnswer[] = [];
  return {
    answers,
    async call(method, path, { token = adminKey, body } = {}) {
      let res: Response;
      try {
        res = await fetch(`${baseUrl}${path}`, {
          method,
          headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(answerTimeoutMs),
        });
      } catch (err) {
        answers.push({ at: Date.now(), method, path, status: 0 });
        throw new Error(`no answer (${(err as Error).message})`, { cause: err });
      }
      const text = await res.text();
      const parsed = parseJson(text);
      const code = (parsed as { error?: { code?: string } } | undefined)?.error?.code;
      answers.push({ at: Date.now(), method, path, status: res.status, ...(code ? { code } : {}) });
      return { status: res.status, body: parsed };
    },
  };
}

/** Calls the API and requires `expected`; otherwise throws naming the status and error code. */
export async function expectStatus<T>(api: ApiClient, expected: number, method: string, path: string, options?: { token?: string; body?: unknown }): Promise<T> {
  const { status, body } = await api.call(method, path, options);
  if (status !== expected) throw new Error(`HTTP ${status}${errorCode(body)}`);
  return body as T;
}

const errorCode = (body: unknown) => {
  const code = (body as { error?: { code?: string } } | undefined)?.error?.code;
  return code ? ` ${code}` : '';
};

/** The answer's JSON; undefined for an empty or non-JSON body (which the figures then show without a code). */
function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
