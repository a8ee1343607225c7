/**
 * The Platform UI: Integrations → Webhooks. Plain TypeScript, no framework; bundled by src/api/ui.ts
 * from this entry point. This file routes: it picks the view for the address (routes.ts) and the
 * signed-in kind, redirects what that kind cannot see, and wires the page-wide listeners.
 */
import { append, focusElement, h } from './dom';
import { announcedWithin, clearAnnouncement } from './feedback';
import { viewIntegrations } from './integrations';
import { heading1, pageTitle } from './layout';
import { beginView, installRenderer, mainEl, type RenderOptions } from './page';
import { defaultHref, parseRoute } from './routes';
import { currentSession, signOut } from './session';
import { viewSignIn } from './sign-in';
import { viewWebhooks } from './webhook-list';
import { viewWebhook } from './webhook-page';

const sessionEl = document.getElementById('session') as HTMLElement;

function renderPage({ focus = false, notice }: RenderOptions = {}): void {
  beginView();
  renderSessionBar();
  mainEl.replaceChildren();
  const session = currentSession();
  if (!session) {
    viewSignIn(notice);
    return;
  }
  const route = parseRoute();
  let heading: HTMLElement;
  if (route.name === 'home') {
    history.replaceState(null, '', defaultHref());
    renderPage({ focus });
    return;
  }
  if (session.kind === 'integration' && (route.name === 'integrations' || ('integrationId' in route && route.integrationId))) {
    // An integration token has no admin view: its own webhooks instead.
    history.replaceState(null, '', '#/webhooks');
    renderPage({ focus });
    return;
  }
  if (session.kind === 'admin' && (route.name === 'webhooks' || route.name === 'webhook') && !route.integrationId) {
    history.replaceState(null, '', '#/integrations');
    renderPage({ focus });
    return;
  }
  switch (route.name) {
    case 'integrations':
      heading = viewIntegrations();
      break;
    case 'webhooks':
      heading = viewWebhooks(route.integrationId);
      break;
    case 'webhook':
      heading = viewWebhook(route.integrationId, route.webhookId);
      break;
    default:
      heading = viewNotFound();
  }
  if (focus) focusElement(heading);
}

/** Who is signed in, and the Sign out button, in the page header. */
function renderSessionBar(): void {
  sessionEl.replaceChildren();
  const session = currentSession();
  if (!session) return;
  append(
    sessionEl,
    h('span', { class: 'session__who' }, session.kind === 'admin' ? 'Signed in with the admin key' : 'Signed in with an integration token'),
    h('button', { type: 'button', class: 'button button--quiet', onclick: () => signOut('You are signed out.') }, 'Sign out'),
  );
}

function viewNotFound(): HTMLElement {
  pageTitle('Not found');
  const heading = heading1('Page not found');
  mainEl.append(heading, h('p', {}, 'There is nothing at this address. ', h('a', { href: defaultHref() }, 'Go to the start page'), '.'));
  return heading;
}

// ---------------------------------------------------------------- start

installRenderer(renderPage);

document.querySelector<HTMLAnchorElement>('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  focusElement(mainEl);
});

window.addEventListener('hashchange', () => {
  // Only "#/…" addresses are pages; other fragments (skip links) are not navigation.
  if (!location.hash.startsWith('#/') && location.hash !== '') return;
  // A message from the action that navigated stays; older ones are about the previous page.
  if (!announcedWithin(1000)) clearAnnouncement();
  renderPage({ focus: true });
});

renderPage();
