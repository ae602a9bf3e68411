import { apiOrNull } from '../api.js';
import { fill, formatMs, formatNumber, h, panel, table } from '../dom.js';

/**
 * Per-user share of each queue (GET /fairness: waiting, running, age of the oldest waiting task).
 * Hidden while the api has no such route (404) or the key may not read it (403).
 */
export function fairnessPanel() {
  const { element, body } = panel('Fairness', { id: 'fairness' });
  element.hidden = true;
  let absent = false;
  return {
    element,
    async refresh() {
      if (absent) return;
      const answer = await apiOrNull('/fairness', [403, 404]);
      if (!answer) {
        // The route comes with a newer api (or another key), not while this page lives: stop asking.
        absent = true;
        return;
      }
      const { queues } = answer;
      element.hidden = false;
      const rows = queues.flatMap((queue) =>
        queue.users.map((user) =>
          h(
            'tr',
            null,
            h('td', null, queue.queue),
            h('td', null, user.userId),
            h('td', { class: 'num' }, formatNumber(user.waiting)),
            h('td', { class: 'num' }, formatNumber(user.running)),
            h(
              'td',
              { class: 'num' },
              user.oldestWaitingAgeMs === null ? '–' : formatMs(user.oldestWaitingAgeMs),
            ),
          ),
        ),
      );
      fill(
        body,
        table(['Queue', 'User', 'Waiting', 'Running', 'Oldest waiting'], rows, {
          empty: 'No user has work queued.',
        }),
      );
    },
  };
}
