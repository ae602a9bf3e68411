import { apiOrNull } from '../api.js';
import { badge, fill, formatNumber, h, panel, table } from '../dom.js';

/** Depth of every queue by state and its completed/failed rates over the last five minutes (admin). */
export function queuesPanel() {
  const { element, body } = panel('Queues', { id: 'queues' });
  return {
    element,
    async refresh() {
      const answer = await apiOrNull('/queues');
      if (!answer) {
        fill(body, h('p', { class: 'muted' }, 'Queues are shown to admin keys.'));
        return;
      }
      const { queues } = answer;
      const rows = queues.map((queue) => {
        const counts = queue.counts;
        const waiting = (counts.waiting ?? 0) + (counts.prioritized ?? 0);
        return h(
          'tr',
          { 'data-queue': queue.name },
          h('td', null, h('a', { href: `#/tasks?queue=${encodeURIComponent(queue.name)}` }, queue.name)),
          h('td', { class: 'num' }, formatNumber(waiting)),
          h('td', { class: 'num' }, formatNumber(counts.active)),
          h('td', { class: 'num' }, formatNumber(counts.delayed)),
          h('td', { class: counts.failed ? 'num bad' : 'num' }, formatNumber(counts.failed)),
          h('td', { class: 'num' }, formatNumber(queue.completedPerMinute)),
          h('td', { class: queue.failedPerMinute ? 'num bad' : 'num' }, formatNumber(queue.failedPerMinute)),
          h('td', null, queue.paused ? badge('paused') : badge('running', 'ok')),
        );
      });
      fill(
        body,
        table(['Queue', 'Waiting', 'Active', 'Delayed', 'Failed', 'Done/min', 'Failed/min', 'State'], rows),
      );
    },
  };
}
