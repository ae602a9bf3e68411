import { api, REFRESH_MS } from '../api.js';
import { badge, fill, formatMs, formatTime, h, progressBar } from '../dom.js';
import { subscribe, TERMINAL } from '../events.js';

const json = (value) => JSON.stringify(value, null, 2);

/**
 * One task: live progress bar (server-sent events, with a poll as fallback), status, timings,
 * result or error, trace id, and the Retry and Cancel buttons.
 */
export function taskView(id) {
  const title = h('h2', { id: 'task-name' }, 'Task');
  const status = h('span', { id: 'task-status' });
  const notice = h('p', { class: 'form-message', role: 'status', id: 'task-notice' });
  const progress = h('div', { id: 'task-progress' });
  const details = h('dl', { class: 'details' });
  const outcome = h('div', { class: 'outcome' });
  /** Text the task writes as it runs (`output` events, e.g. an AI task's streamed answer). */
  const writtenText = h('pre', { id: 'task-output' });
  const written = h('div', { class: 'outcome', hidden: true }, writtenText);
  const retry = h('button', { id: 'retry', class: 'secondary', disabled: true }, 'Retry');
  const cancel = h('button', { id: 'cancel', class: 'danger', disabled: true }, 'Cancel');
  const element = h(
    'div',
    { class: 'grid' },
    h(
      'section',
      { class: 'panel wide', id: 'task' },
      h(
        'header',
        { class: 'panel-head' },
        h(
          'div',
          { class: 'title-line' },
          h('a', { href: '#/tasks', class: 'back' }, '← Tasks'),
          title,
          status,
        ),
        h('div', { class: 'actions' }, retry, cancel),
      ),
      h('div', { class: 'panel-body' }, progress, written, notice, details, outcome),
    ),
  );
  let record;
  /** What the latest events said, ahead of the record. */
  const live = { status: undefined, percent: 0, message: undefined };
  let recheck;
  let stale = 0;
  let missing = false;
  let timer;
  let stopped = false;
  let unsubscribe;

  const showProgress = (percent, message) => {
    fill(
      progress,
      progressBar(percent, { large: true }),
      message ? h('p', { class: 'muted' }, message) : null,
    );
  };

  const render = (task) => {
    // Records land through the projector, a moment after their events: right after a completed
    // (or cancelled…) event the record may still say running, and right after a retry (or its
    // started event) it may still say cancelled or failed. Keep what the event said and look again
    // shortly.
    const behind = live.status !== undefined && TERMINAL.has(live.status) !== TERMINAL.has(task.status);
    if (behind && stale++ < 20) {
      clearTimeout(recheck);
      recheck = setTimeout(load, 300);
      return;
    }
    stale = 0;
    record = task;
    fill(title, task.name);
    fill(status, badge(task.status));
    // Nor may the bar go back: a progress event can be ahead of the stored record.
    const percent =
      task.status === 'completed'
        ? 100
        : task.status === 'running'
          ? Math.max(task.progress ?? 0, live.percent)
          : (task.progress ?? 0);
    showProgress(percent, task.progressMessage ?? live.message);
    cancel.disabled = !['pending', 'running', 'retrying'].includes(task.status);
    retry.disabled = !['failed', 'cancelled'].includes(task.status);
    const rows = [
      ['Id', h('span', { class: 'mono' }, task.id)],
      ['Queue', task.queue],
      ['User', task.userId ?? '–'],
      ['Attempts', `${task.attempts} of ${task.maxRetries + 1}`],
      ['Priority', task.priority ?? '–'],
      ['Created', formatTime(task.createdAt)],
      ['Started', formatTime(task.startedAt)],
      ['Finished', formatTime(task.completedAt)],
      ['Waited', formatMs(task.waitMs)],
      ['Ran', formatMs(task.durationMs)],
      ['Trace id', h('span', { class: 'mono', id: 'trace-id' }, task.traceId ?? '–')],
      task.replayOf
        ? ['Replay of', h('a', { href: `#/tasks/${encodeURIComponent(task.replayOf)}` }, task.replayOf)]
        : null,
    ].filter(Boolean);
    fill(
      details,
      rows.map(([term, value]) => [h('dt', null, term), h('dd', null, value)]),
    );
    fill(
      outcome,
      task.error
        ? h(
            'div',
            { class: 'error-box', id: 'task-error' },
            h('h3', null, 'Error'),
            h('pre', null, task.error),
            task.stackTrace
              ? h('details', null, h('summary', null, 'Stack trace'), h('pre', null, task.stackTrace))
              : null,
          )
        : null,
      task.result !== null && task.result !== undefined
        ? h('div', { id: 'task-result' }, h('h3', null, 'Result'), h('pre', null, json(task.result)))
        : null,
      h('details', null, h('summary', null, 'Payload'), h('pre', null, json(task.payload))),
    );
  };

  const load = async () => {
    try {
      const task = await api(`/tasks/${encodeURIComponent(id)}`);
      if (missing) fill(notice);
      missing = false;
      render(task);
    } catch (error) {
      missing = error.code === 'TASK_NOT_FOUND';
      fill(notice, `${error.code}: ${error.message}`);
    }
  };

  const poll = async () => {
    await load();
    if (!stopped && !(record && TERMINAL.has(record.status))) timer = setTimeout(poll, REFRESH_MS);
  };

  const act = async (action) => {
    // A retried task is pending again even while its record still says how the last run ended.
    Object.assign(live, {
      status: action === 'retry' ? 'pending' : undefined,
      percent: 0,
      message: undefined,
    });
    retry.disabled = true;
    cancel.disabled = true;
    try {
      const answer = await api(`/tasks/${encodeURIComponent(id)}/${action}`, { method: 'POST' });
      if (action === 'retry' && answer.taskId !== id) {
        location.hash = `#/tasks/${encodeURIComponent(answer.taskId)}`;
        return;
      }
      fill(
        notice,
        action === 'cancel' && answer.status !== 'cancelled' ? 'Asked its worker to stop it…' : '',
      );
    } catch (error) {
      fill(notice, `${error.code}: ${error.message}`);
    }
    // Follow the task again (a retried one was terminal and no longer polled).
    clearTimeout(timer);
    await poll();
  };
  retry.addEventListener('click', () => act('retry'));
  cancel.addEventListener('click', () => act('cancel'));

  return {
    title: 'Task',
    element,
    start() {
      unsubscribe = subscribe({ taskId: id }, (event) => {
        if (event.type === 'output') {
          written.hidden = false;
          writtenText.textContent += event.message ?? '';
          return;
        }
        // A new attempt writes its text afresh.
        if (event.type === 'started') writtenText.textContent = '';
        if (event.type === 'progress') {
          Object.assign(live, { status: 'running', percent: event.percent ?? 0, message: event.message });
          fill(status, badge('running'));
          showProgress(live.percent, live.message);
          return;
        }
        const said = { started: 'running', submitted: 'pending' }[event.type] ?? event.type;
        Object.assign(live, { status: said, percent: 0, message: undefined });
        void load();
      });
      void poll();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(recheck);
      unsubscribe?.();
    },
  };
}
