import { apiOrNull } from '../api.js';
import { fill, formatMs, h, panel, progressBar, shortId, table } from '../dom.js';

/** Alive worker connections with their heartbeat, and the tasks running right now (admin). */
export function workersPanel() {
  const { element, body } = panel('Workers', { id: 'workers' });
  return {
    element,
    async refresh() {
      const [alive, running] = await Promise.all([apiOrNull('/workers'), apiOrNull('/workers/active')]);
      if (!alive || !running) {
        fill(body, h('p', { class: 'muted' }, 'Workers are shown to admin keys.'));
        return;
      }
      const { workers } = alive;
      const { active } = running;
      const runningOn = (queue) => active.filter((task) => task.queue === queue).length;
      const instances = table(
        ['Queue', 'Instance', 'Up', 'Heartbeat', 'Running'],
        workers
          .sort((a, b) => a.queue.localeCompare(b.queue))
          .map((worker) =>
            h(
              'tr',
              null,
              h('td', null, worker.queue),
              h('td', { class: 'mono', title: worker.id }, worker.address || worker.id),
              h('td', null, formatMs(worker.ageSeconds * 1_000)),
              h(
                'td',
                { class: worker.idleSeconds > 30 ? 'bad' : '' },
                worker.idleSeconds < 1 ? 'just now' : `${formatMs(worker.idleSeconds * 1_000)} ago`,
              ),
              h('td', { class: 'num' }, runningOn(worker.queue)),
            ),
          ),
        { empty: 'No worker is connected.' },
      );
      const now = active.map((task) =>
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
        instances,
        h('h3', null, `Running now (${active.length})`),
        now.length ? h('ul', { class: 'running' }, now) : h('p', { class: 'muted' }, 'Nothing is running.'),
      );
    },
  };
}
