// The dashboard's only way to the server: the api's own REST routes, with the session cookie.

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    /** The api's field problems (`[{ path, message }]`), when it names any. */
    this.details = details;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const init = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) {
    const next = `${location.pathname}${location.hash}`;
    location.assign(`/login?next=${encodeURIComponent(next)}`);
    throw new ApiError(401, 'UNAUTHENTICATED', 'The session ended; sign in again');
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(
      response.status,
      data?.error?.code ?? 'HTTP_ERROR',
      data?.error?.message ?? `${response.status} ${response.statusText}`,
      data?.error?.details,
    );
  }
  return data;
}

/** How often panels refresh; `?refresh=<ms>` in the page address overrides it (at least 500). */
export const REFRESH_MS = Math.max(500, Number(new URLSearchParams(location.search).get('refresh')) || 5_000);

/** The answer, or null when the api says one of `statuses` (403: not for this key; 404: no such route). */
export async function apiOrNull(path, statuses = [403]) {
  try {
    return await api(path);
  } catch (error) {
    if (error instanceof ApiError && statuses.includes(error.status)) return null;
    throw error;
  }
}
