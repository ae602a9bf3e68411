import { api, REFRESH_MS } from '../api.js';
import { fill, h, panel, table } from '../dom.js';
import { subscribe } from '../events.js';
import { alertsPanel } from '../panels/alerts.js';
import { chartsPanel } from '../panels/charts.js';
import { fairnessPanel } from '../panels/fairness.js';
import { queuesPanel } from '../panels/queues.js';
import { schedulesPanel } from '../panels/schedules.js';
import { workersPanel } from '../panels/workers.js';
import { applyEvent, TASK_HEADERS, taskRow } from './task-rows.js';

/** The newest tasks of the key's user (admins: everyone's), updated by live events. */
function recentTasksPanel() {
  const { element, body } = panel('Recent tasks', {
    id: 'recent',
    wide: true,
    actions: h('a', { href: '#/tasks', class: 'button' }, 'All tasks'),
  });
  return {
    element,
    async refresh() {
      const { tasks } = await api('/tasks?limit=8');
      fill(body, table(TASK_HEADERS, tasks.map(taskRow), { empty: 'No task yet.' }));
    },
    onEvent(event) {
      const row = body.querySelector(`tr[data-task-id="${CSS.escape(event.taskId)}"]`);
      if (row) applyEvent(row, event);
      return !row;
    },
  };
}

/** Queues, workers, charts, recent tasks, alerts, schedules and fairness, refreshed together. */
export function overviewView() {
  const recent = recentTasksPanel();
  const panels = [
    queuesPanel(),
    workersPanel(),
    chartsPanel(),
    recent,
    alertsPanel(),
    schedulesPanel(),
    fairnessPanel(),
  ];
  const element = h(
    'div',
    { class: 'grid' },
    panels.map((item) => item.element),
  );
  let timer;
  let stopped = false;
  let unsubscribe;
  let reloadSoon;

  const refreshAll = async () => {
    await Promise.all(
      panels.map((item) =>
        item.refresh().catch((error) => {
          const body = item.element.querySelector('.panel-body');
          fill(body, h('p', { class: 'error' }, `Could not load: ${error.message}`));
        }),
      ),
    );
  };

  return {
    title: 'Overview',
    element,
    start() {
      const loop = async () => {
        await refreshAll();
        if (!stopped) timer = setTimeout(loop, REFRESH_MS);
      };
      void loop();
      unsubscribe = subscribe({}, (event) => {
        // A task not on screen yet (just submitted): reload the list, at most once a second.
        if (recent.onEvent(event) && !reloadSoon) {
          reloadSoon = setTimeout(() => {
            reloadSoon = undefined;
            void recent.refresh().catch(() => {});
          }, 1_000);
        }
      });
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(reloadSoon);
      unsubscribe?.();
    },
  };
}
