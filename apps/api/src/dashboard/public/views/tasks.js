import { api } from '../api.js';
import { fill, h, panel, table } from '../dom.js';
import { subscribe } from '../events.js';
import { applyEvent, TASK_HEADERS, taskRow } from './task-rows.js';

const STATUSES = ['pending', 'running', 'retrying', 'completed', 'failed', 'cancelled'];
const FILTERS = ['status', 'name', 'queue', 'from', 'to', 'q'];
// `payload.to=a@b.c payload.subject="Hello there"`: a value with spaces in double quotes.
const PAYLOAD_FILTER = /(payload\.[^\s=]+)=("[^"]*"|\S*)/g;
const PAGE_SIZE = 25;

// datetime-local inputs hold local time without a zone; the api wants ISO with an offset.
const toIso = (local) => (local ? new Date(local).toISOString() : undefined);
const toLocal = (iso) => {
  if (!iso) return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/** Submits a task from the page: its type (from /task-types) and a JSON payload. */
function submitPanel(taskTypes) {
  const { element, body } = panel('Submit a task', { id: 'submit', wide: true });
  const name = h(
    'select',
    { name: 'name', id: 'submit-name', required: true },
    taskTypes.map((type) => h('option', { value: type.name }, type.name)),
  );
  const payload = h(
    'textarea',
    { name: 'payload', id: 'submit-payload', rows: 3, spellcheck: 'false' },
    '{}',
  );
  const message = h('p', { class: 'form-message', role: 'status' });
  const form = h(
    'form',
    {
      class: 'submit-form',
      onsubmit: async (event) => {
        event.preventDefault();
        let body;
        try {
          body = JSON.parse(payload.value || '{}');
        } catch {
          fill(message, 'The payload is not valid JSON.');
          return;
        }
        try {
          const submitted = await api(`/tasks/${encodeURIComponent(name.value)}`, { method: 'POST', body });
          location.hash = `#/tasks/${encodeURIComponent(submitted.taskId)}`;
        } catch (error) {
          fill(message, `${error.code}: ${error.message}`);
        }
      },
    },
    h('label', null, 'Task type', name),
    h('label', { class: 'grow' }, 'Payload (JSON)', payload),
    h('button', { type: 'submit', id: 'submit-task' }, 'Submit'),
    message,
  );
  fill(body, form);
  return element;
}

/** The payload filters of the page address as the text of the filter box, and back. */
const payloadEntries = (params) => [...params].filter(([key]) => key.startsWith('payload.'));
const payloadText = (params) =>
  payloadEntries(params)
    .map(([key, value]) => `${key}=${/\s/.test(value) ? `"${value}"` : value}`)
    .join(' ');
const payloadParams = (text) =>
  [...text.matchAll(PAYLOAD_FILTER)].map(([, key, value]) => [key, value.replace(/^"(.*)"$/, '$1')]);

/** An api error, with the fields it names (a bad filter says which). */
const errorText = (error) =>
  `${error.code}: ${error.message}${(error.details ?? []).map((detail) => ` (${detail.path}: ${detail.message})`).join('')}`;

/**
 * Every task the key may see, with filters (status, type, queue, time range, free text, payload
 * fields) kept in the page address so a search can be shared, and cursor pages.
 */
export function tasksView(params) {
  const filters = Object.fromEntries(FILTERS.map((key) => [key, params.get(key) ?? '']));
  const payloadFilters = payloadEntries(params);
  const cursors = [undefined];
  let page = 0;
  let nextCursor = null;
  let unsubscribe;
  let reloadSoon;

  const list = panel('Tasks', { id: 'task-list', wide: true });
  const pager = h('div', { class: 'pager' });
  const statusSelect = h(
    'select',
    { name: 'status', id: 'filter-status' },
    h('option', { value: '' }, 'any status'),
    STATUSES.map((status) => h('option', { value: status }, status)),
  );
  statusSelect.value = filters.status;
  const nameInput = h('input', {
    name: 'name',
    id: 'filter-name',
    list: 'task-type-names',
    placeholder: 'any task type',
    value: filters.name,
  });
  const queueInput = h('input', {
    name: 'queue',
    id: 'filter-queue',
    placeholder: 'any queue',
    value: filters.queue,
  });
  const fromInput = h('input', { type: 'datetime-local', name: 'from', value: toLocal(filters.from) });
  const toInput = h('input', { type: 'datetime-local', name: 'to', value: toLocal(filters.to) });
  const searchInput = h('input', {
    type: 'search',
    name: 'q',
    id: 'filter-q',
    placeholder: 'words in id, name, error, payload, result',
    value: filters.q,
  });
  const payloadInput = h('input', {
    name: 'payload',
    id: 'filter-payload',
    placeholder: 'payload.to=a@b.c payload.user.id=42',
    value: payloadText(params),
  });
  const names = h('datalist', { id: 'task-type-names' });
  const filterForm = h(
    'form',
    {
      class: 'filters',
      onsubmit: (event) => {
        event.preventDefault();
        const query = new URLSearchParams();
        const values = {
          status: statusSelect.value,
          name: nameInput.value.trim(),
          queue: queueInput.value.trim(),
          from: toIso(fromInput.value),
          to: toIso(toInput.value),
          q: searchInput.value.trim(),
        };
        for (const [key, value] of Object.entries(values)) if (value) query.set(key, value);
        for (const [key, value] of payloadParams(payloadInput.value)) query.append(key, value);
        location.hash = `#/tasks${query.size ? `?${query}` : ''}`;
      },
    },
    h('label', null, 'Status', statusSelect),
    h('label', null, 'Task type', nameInput, names),
    h('label', null, 'Queue', queueInput),
    h('label', null, 'Created from', fromInput),
    h('label', null, 'to', toInput),
    h('label', { class: 'grow' }, 'Search', searchInput),
    h('label', { class: 'grow' }, 'Payload fields', payloadInput),
    h('button', { type: 'submit', id: 'filter-submit' }, 'Filter'),
    h('a', { href: '#/tasks', class: 'button secondary' }, 'Clear'),
  );

  const load = async () => {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    for (const key of FILTERS) if (filters[key]) query.set(key, filters[key]);
    for (const [key, value] of payloadFilters) query.append(key, value);
    if (cursors[page]) query.set('cursor', cursors[page]);
    try {
      const result = await api(`/tasks?${query}`);
      nextCursor = result.nextCursor;
      fill(
        list.body,
        filterForm,
        table(TASK_HEADERS, result.tasks.map(taskRow), { empty: 'No task matches.' }),
        pager,
      );
    } catch (error) {
      fill(list.body, filterForm, h('p', { class: 'error' }, errorText(error)));
      return;
    }
    fill(
      pager,
      h(
        'button',
        {
          class: 'secondary',
          disabled: page === 0,
          onclick: () => {
            page -= 1;
            void load();
          },
        },
        '← Newer',
      ),
      h('span', { class: 'muted' }, `page ${page + 1}`),
      h(
        'button',
        {
          class: 'secondary',
          disabled: !nextCursor,
          onclick: () => {
            cursors[page + 1] = nextCursor;
            page += 1;
            void load();
          },
        },
        'Older →',
      ),
    );
  };

  const element = h('div', { class: 'grid' }, list.element);
  return {
    title: 'Tasks',
    element,
    start() {
      void load();
      void api('/task-types').then(({ taskTypes }) => {
        fill(
          names,
          taskTypes.map((type) => h('option', { value: type.name })),
        );
        element.prepend(submitPanel(taskTypes));
      });
      unsubscribe = subscribe({}, (event) => {
        const row = list.body.querySelector(`tr[data-task-id="${CSS.escape(event.taskId)}"]`);
        if (row) applyEvent(row, event);
        else if (page === 0 && event.type === 'submitted' && !reloadSoon) {
          reloadSoon = setTimeout(() => {
            reloadSoon = undefined;
            void load();
          }, 1_000);
        }
      });
    },
    stop() {
      clearTimeout(reloadSoon);
      unsubscribe?.();
    },
  };
}
