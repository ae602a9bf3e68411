// Live task events from the api's server-sent event stream (/events), scoped like every route.

const TYPES = ['submitted', 'started', 'progress', 'retrying', 'completed', 'failed', 'cancelled', 'output'];

/**
 * Calls `onEvent(event)` for each task event (`{ type, taskId, taskName, queue, percent, … }`);
 * `onState('live' | 'reconnecting')` tells whether the stream is up. Returns a function that closes
 * it. The browser reconnects by itself and resumes with Last-Event-ID.
 */
export function subscribe(query, onEvent, onState = () => {}) {
  const params = new URLSearchParams(query);
  const source = new EventSource(`/events${params.size ? `?${params}` : ''}`, { withCredentials: true });
  source.addEventListener('ready', () => onState('live'));
  source.addEventListener('error', () => onState('reconnecting'));
  for (const type of TYPES) {
    source.addEventListener(type, (message) => {
      try {
        onEvent(JSON.parse(message.data));
      } catch {
        // A malformed event is skipped; the record stays the truth.
      }
    });
  }
  return () => source.close();
}

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
