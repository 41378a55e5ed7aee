/** Sign in with a bearer token (a ServiceAccount's from `kubectl create token`, or a user's). */
import { useState } from 'preact/hooks';
import { errorText, raw, setToken } from '../api.js';
import { html } from '../html.js';

export function SignIn({ onSignedIn, reason }: { onSignedIn: () => void; reason?: string }) {
  const [token, setT] = useState('');
  const [error, setError] = useState(reason ?? '');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const t = token.trim();
    if (!t) return;
    setBusy(true);
    setToken(t);
    try {
      // Any authenticated identity may read discovery; a 401 means the token is not accepted.
      await raw('/api');
      onSignedIn();
    } catch (err) {
      setToken(undefined);
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="signin">
    <form onSubmit=${submit} data-testid="signin">
      <h1>Bosun</h1>
      <p>Sign in with a bearer token. The console has no rights of its own: it sees and does what your token may.</p>
      <label for="token">Token</label>
      <textarea id="token" name="token" rows="5" autocomplete="off" spellcheck=${false} value=${token} onInput=${(e: Event) => setT((e.target as HTMLTextAreaElement).value)} placeholder="kubectl create token <serviceaccount>"></textarea>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <button type="submit" disabled=${busy}>Sign in</button>
      <p class="hint">The token stays in this tab (sessionStorage) and goes only to this server, as an Authorization header.</p>
    </form>
  </main>`;
}
