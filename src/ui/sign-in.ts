/** The sign-in view: one field for an admin key or an integration token, checked against the API. */
import { verifyCredential } from './api';
import { errorBox, h, showErrorLines, uid } from './dom';
import { announce, busy, showError } from './feedback';
import { pageTitle } from './layout';
import { mainEl, render } from './page';
import { defaultHref, go, parseRoute } from './routes';
import { signIn } from './session';

/** `notice` says why the user is here again (signed out, or the credential stopped working). */
export function viewSignIn(notice?: string): void {
  pageTitle('Sign in');
  const hintId = uid('hint');
  const input = h('input', {
    id: 'credential',
    name: 'credential',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    autocapitalize: 'off',
    required: true,
    'aria-describedby': hintId,
  });
  const error = errorBox();
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card narrow', novalidate: true, 'aria-labelledby': 'signin-heading' },
    h('h1', { id: 'signin-heading', tabindex: '-1' }, 'Sign in'),
    notice ? h('p', { class: 'notice' }, notice) : null,
    h('div', { class: 'field' }, h('label', { for: 'credential' }, 'Admin key or integration token'), input),
    h('p', { id: hintId, class: 'hint' }, 'Integration tokens start with eudr_live_ and show only that integration’s webhooks. An admin key shows every integration.'),
    error,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) {
      input.setAttribute('aria-invalid', 'true');
      showErrorLines(error, ['Enter an admin key or an integration token.']);
      input.focus();
      return;
    }
    try {
      const kind = await busy(submit, 'Signing in…', () => verifyCredential(token));
      signIn({ kind, token });
      input.value = '';
      announce(kind === 'admin' ? 'Signed in with the admin key.' : 'Signed in with an integration token.');
      // Back to where a 401 interrupted, if anywhere (render redirects what this kind cannot see).
      if (parseRoute().name === 'home') go(defaultHref());
      else render({ focus: true });
    } catch (err) {
      input.setAttribute('aria-invalid', 'true');
      showError(error, err);
      input.focus();
      input.select();
    }
  });
  mainEl.append(form);
  input.focus();
}
