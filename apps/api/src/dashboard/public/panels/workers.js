import { apiOrNull } from '../api.js';
import { fill, formatNumber, h, panel, progressBar, shortId, table } from '../dom.js';

/** A heartbeat older than this marks the process as probably gone (workers beat every few seconds). */
const STALE_SECONDS = 30;

/**
 * Worker processes from their heartbeats (instance, service, queue, slots, last beat), each
 * queue's slots against what runs and waits, and the tasks running right now (admin).
 */
export function workersPanel() {
  const { element, body } = panel('Workers', { id: 'workers' });
  return {
    element,
    async refresh() {
      const [stats, running] = await Promise.all([apiOrNull('/workers/stats'), apiOrNull('/workers/active')]);
      if (!stats || !running) {
        fill(body, h('p', { class: 'muted' }, 'Workers are shown to admin keys.'));
        return;
      }
      const processes = table(
        ['Instance', 'Queue', 'Slots', 'Heartbeat'],
        [...stats.processes]
          .sort((a, b) => a.queue.localeCompare(b.queue) || a.instance.localeCompare(b.instance))
          .map((process) =>
            h(
              'tr',
              { 'data-instance': process.instance },
              h(
                'td',
                { title: process.instance },
                process.service,
                h('span', { class: 'muted mono' }, ` ${process.instance}`),
              ),
              h('td', null, process.queue),
              h('td', { class: 'num' }, process.concurrency),
              h(
                'td',
                { class: process.lastBeatSecondsAgo > STALE_SECONDS ? 'bad' : '' },
                process.lastBeatSecondsAgo < 1 ? 'just now' : `${process.lastBeatSecondsAgo} s ago`,
              ),
            ),
          ),
        { empty: 'No worker process is beating.' },
      );
      const queues = table(
        ['Queue', 'Processes', 'Slots', 'Running', 'Waiting'],
        Object.entries(stats.queues)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([queue, load]) =>
            h(
              'tr',
              null,
              h('td', null, queue),
              h('td', { class: load.processes ? 'num' : 'num bad' }, load.processes),
              h('td', { class: 'num' }, load.slots),
              h('td', { class: 'num' }, formatNumber(load.active)),
              h('td', { class: 'num' }, formatNumber(load.waiting)),
            ),
          ),
      );
      const now = running.active.map((task) =>
        h(
          'li',
          null,
          h('a', { href: `#/tasks/${encodeURIComponent(task.taskId)}` }, task.name),
          h('span', { class: 'muted mono' }, ` ${shortId(task.taskId)}`),
          progressBar(typeof task.progress === 'number' ? task.progress : (task.progress?.percent ?? 0)),
        ),
      );
      fill(
        body,
        processes,
        h('h3', null, 'Slots per queue'),
        queues,
        h('h3', null, `Running now (${running.active.length})`),
        now.length ? h('ul', { class: 'running' }, now) : h('p', { class: 'muted' }, 'Nothing is running.'),
      );
    },
  };
}
