/** The admin's integration picker, and integration names for the admin's breadcrumbs. */
import type { Integration } from './api';
import { errorBox, h, time } from './dom';
import { showError } from './feedback';
import { breadcrumbs, heading1, loading, pageTitle } from './layout';
import { mainEl, staleCheck } from './page';
import { webhooksHref } from './routes';
import { api, knownIntegrations, rememberIntegrations } from './session';

const fetchIntegrations = async () => (await api().get<{ data: Integration[] }>('/api/v1/admin/integrations')).data;

export function viewIntegrations(): HTMLElement {
  pageTitle('Integrations');
  const heading = heading1('Integrations');
  const body = h('div', {}, loading('integrations'));
  const error = errorBox();
  mainEl.append(
    breadcrumbs([{ label: 'Integrations' }]),
    heading,
    h('p', { class: 'lead' }, 'Select an integration to manage its webhooks.'),
    error,
    body,
  );
  const stale = staleCheck();
  void (async () => {
    try {
      const integrations = await fetchIntegrations();
      rememberIntegrations(integrations);
      if (stale()) return;
      body.replaceChildren(
        integrations.length === 0
          ? h('p', {}, 'No integrations yet. Create one with POST /api/v1/admin/integrations; it will show up here.')
          : h(
              'ul',
              { class: 'link-list' },
              ...integrations.map((integration) =>
                h(
                  'li',
                  {},
                  h('a', { href: webhooksHref(integration.id), class: 'link-list__name' }, integration.name),
                  h('span', { class: 'muted mono' }, integration.id),
                  h('span', { class: 'muted' }, 'Created ', time(integration.createdAt)),
                ),
              ),
            ),
      );
    } catch (err) {
      if (stale()) return;
      body.replaceChildren();
      showError(error, err);
    }
  })();
  return heading;
}

/** The name of an integration for an admin (list fetched once per sign-in, again when unknown). */
export async function integrationName(integrationId: string): Promise<string | undefined> {
  const find = () => knownIntegrations()?.find((i) => i.id === integrationId)?.name;
  if (!find()) rememberIntegrations(await fetchIntegrations());
  return find();
}
