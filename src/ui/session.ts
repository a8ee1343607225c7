/**
 * Who is signed in: the credential (kept in sessionStorage, so a reload stays signed in), the API
 * client that sends it, and what is cached for this sign-in only. A 401 from any call signs out.
 */
import { ApiClient, SignedOut, type Integration, type Session } from './api';
import { announce } from './feedback';
import { render } from './page';

const storageKey = 'platform-ui.session';

let session: Session | null = loadSession();
let client: ApiClient | null = session ? newClient(session) : null;
/** The admin's integrations, fetched at most once per sign-in (and again for an unknown id). */
let integrations: Integration[] | null = null;

function loadSession(): Session | null {
  try {
    const stored = JSON.parse(sessionStorage.getItem(storageKey) ?? 'null') as Partial<Session> | null;
    if (stored && typeof stored.token === 'string' && stored.token && (stored.kind === 'admin' || stored.kind === 'integration')) {
      return { kind: stored.kind, token: stored.token };
    }
  } catch {
    // Unreadable storage counts as signed out.
  }
  return null;
}

function newClient(s: Session): ApiClient {
  return new ApiClient(s.token, () => signOut('Your session has ended or the credential is no longer valid. Please sign in again.', true));
}

export const currentSession = (): Session | null => session;

export function signIn(s: Session): void {
  session = s;
  client = newClient(s);
  integrations = null;
  try {
    sessionStorage.setItem(storageKey, JSON.stringify(s));
  } catch {
    // Private modes may refuse storage; the session then lasts until reload.
  }
}

/** Forgets the credential; `keepPlace` returns to the same page after signing in again (a 401). */
export function signOut(message?: string, keepPlace = false): void {
  session = null;
  client = null;
  integrations = null;
  try {
    sessionStorage.removeItem(storageKey);
  } catch {
    // Nothing stored.
  }
  if (!keepPlace) history.replaceState(null, '', '#/');
  render({ focus: true, notice: message });
  if (message) announce(message);
}

/** The client of the signed-in session; throws SignedOut (shown as nothing) once signed out. */
export const api = (): ApiClient => {
  if (!client) throw new SignedOut();
  return client;
};

export const knownIntegrations = (): Integration[] | null => integrations;

export function rememberIntegrations(list: Integration[]): void {
  integrations = list;
}
