import { badge, formatMs, formatTime, h, progressBar, relativeTime, shortId } from '../dom.js';

export const TASK_HEADERS = ['Task', 'Id', 'Queue', 'User', 'Status', 'Progress', 'Created', 'Duration'];

/** One row of a task table; `data-task-id` lets live events update it in place. */
export function taskRow(task) {
  return h(
    'tr',
    { 'data-task-id': task.id },
    h('td', null, h('a', { href: `#/tasks/${encodeURIComponent(task.id)}` }, task.name)),
    h('td', { class: 'mono', title: task.id }, shortId(task.id)),
    h('td', null, task.queue),
    h('td', null, task.userId ?? '–'),
    h('td', { class: 'status-cell' }, badge(task.status)),
    h(
      'td',
      { class: 'progress-cell' },
      progressBar(task.status === 'completed' ? 100 : (task.progress ?? 0)),
    ),
    h('td', { title: formatTime(task.createdAt) }, relativeTime(task.createdAt)),
    h('td', { class: 'num' }, formatMs(task.durationMs)),
  );
}

/** Applies a live event to a row already on screen: its status and progress. */
export function applyEvent(row, event) {
  const status = { progress: 'running', started: 'running', submitted: 'pending' }[event.type] ?? event.type;
  row.querySelector('.status-cell')?.replaceChildren(badge(status));
  const percent = event.type === 'completed' ? 100 : event.percent;
  if (percent !== undefined) row.querySelector('.progress-cell')?.replaceChildren(progressBar(percent));
}
