import { apiOrNull } from '../api.js';
import { badge, fill, formatNumber, formatTime, h, panel, relativeTime, table } from '../dom.js';

/**
 * Per queue with admission, its busiest flow keys (waiting, running) and its paused keys with their
 * resume time: one row a key, the first rows the api gives (`GET /queues?keys`, 10 by default).
 */
function flowKeysTable(queues) {
  const rows = queues.flatMap((queue) => {
    const flow = queue.flow;
    if (!flow) return [];
    const byKey = new Map(flow.keys.map((row) => [row.key, { ...row, resumeAt: null }]));
    for (const { key, resumeAt } of flow.paused) {
      byKey.set(key, { waiting: null, running: null, ...byKey.get(key), key, resumeAt });
    }
    return [...byKey.values()].map((row) =>
      h(
        'tr',
        { 'data-flow-key': row.key },
        h('td', null, queue.name),
        h('td', null, row.key),
        h('td', { class: 'num' }, row.waiting === null ? '–' : formatNumber(row.waiting)),
        h('td', { class: 'num' }, row.running === null ? '–' : formatNumber(row.running)),
        h(
          'td',
          null,
          row.resumeAt
            ? h(
                'span',
                { title: formatTime(row.resumeAt) },
                badge('paused'),
                ` ${relativeTime(row.resumeAt)}`,
              )
            : '',
        ),
      ),
    );
  });
  const totals = queues
    .filter(
      (queue) => queue.flow && (queue.flow.keysWaiting || queue.flow.keysRunning || queue.flow.pausedKeys),
    )
    .map(
      ({ name, flow }) =>
        `${name}: ${formatNumber(flow.keysWaiting)} keys waiting, ${formatNumber(flow.keysRunning)} running, ${formatNumber(flow.pausedKeys)} paused`,
    );
  return h(
    'section',
    { id: 'flow-keys' },
    h('h3', null, 'Flow keys'),
    h('p', { class: 'muted' }, totals.length > 0 ? totals.join(' · ') : 'No key has work or is paused.'),
    rows.length > 0 ? table(['Queue', 'Key', 'Waiting', 'Running', 'Paused'], rows) : null,
  );
}

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
        flowKeysTable(queues),
      );
    },
  };
}
