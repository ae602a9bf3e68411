// Trades an api key for the session cookie (POST /login), then opens the page asked for.

const form = document.getElementById('login');
form.elements.key.focus();
const errorLine = document.getElementById('login-error');

/** Only a path of this site: never another origin (`//evil`, `https://…`, `/\evil`). */
function nextPage() {
  const next = new URLSearchParams(location.search).get('next') ?? '';
  return /^\/(?![/\\])/.test(next) ? next : '/dashboard';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  errorLine.textContent = '';
  const key = form.elements.key.value.trim();
  const response = await fetch('/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key }),
  }).catch(() => undefined);
  if (response?.ok) {
    location.assign(nextPage());
    return;
  }
  const body = await response?.json().catch(() => undefined);
  errorLine.textContent = body?.error?.message ?? 'The api could not be reached.';
  form.elements.key.select();
});
