// Small DOM helpers. Every string becomes a text node, so task data can never inject markup.

/** Creates an element: h('a', { href: '#/', class: 'x', onclick: fn }, 'text', child). */
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'value' || name === 'checked' || name === 'disabled') element[name] = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (Array.isArray(child)) append(element, child);
    else if (child !== undefined && child !== null && child !== false) {
      element.append(child instanceof Node ? child : String(child));
    }
  }
}

/** Replaces an element's children. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A card with a title, optional actions on the right, and a body to fill. */
export function panel(title, { id, wide, actions } = {}) {
  const body = h('div', { class: 'panel-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const element = h(
    'section',
    { class: wide ? 'panel wide' : 'panel', id },
    h('header', { class: 'panel-head' }, h('h2', null, title), actions ?? null),
    body,
  );
  return { element, body };
}

export function table(headers, rows, { empty = 'Nothing here' } = {}) {
  if (rows.length === 0) return h('p', { class: 'muted' }, empty);
  return h(
    'table',
    null,
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        headers.map((header) => h('th', null, header)),
      ),
    ),
    h('tbody', null, rows),
  );
}

export function badge(text, kind = text) {
  return h('span', { class: `badge badge-${kind}` }, text);
}

export function progressBar(percent, { large = false, label } = {}) {
  const value = Math.max(0, Math.min(100, Number(percent) || 0));
  const bar = h('div', {
    class: 'progress-fill',
    role: 'progressbar',
    'aria-valuemin': 0,
    'aria-valuemax': 100,
    'aria-valuenow': Math.round(value),
  });
  bar.style.width = `${value}%`;
  return h(
    'div',
    { class: large ? 'progress large' : 'progress' },
    bar,
    large ? h('span', { class: 'progress-label' }, label ?? `${Math.round(value)}%`) : null,
  );
}

const number = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
export const formatNumber = (value) => number.format(value ?? 0);
const precise = new Intl.NumberFormat('en', { maximumSignificantDigits: 3 });
/** Three significant digits: 0.143, 12.5, 1,240. */
export const formatValue = (value) => precise.format(value ?? 0);

export function formatMs(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${number.format(ms / 1_000)} s`;
  if (ms < 3_600_000) return `${number.format(ms / 60_000)} min`;
  if (ms < 2 * 86_400_000) return `${number.format(ms / 3_600_000)} h`;
  return `${number.format(ms / 86_400_000)} d`;
}

export function formatTime(iso) {
  if (!iso) return '–';
  return new Date(iso).toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** "3 min ago", "in 2 h". */
export function relativeTime(iso, now = Date.now()) {
  if (!iso) return '–';
  const delta = new Date(iso).getTime() - now;
  const text = formatMs(Math.abs(delta));
  if (Math.abs(delta) < 1_000) return 'now';
  return delta < 0 ? `${text} ago` : `in ${text}`;
}

export const shortId = (id) => (id.length > 12 ? `${id.slice(0, 8)}…` : id);
