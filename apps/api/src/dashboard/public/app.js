import { api } from './api.js';
import { fill, h } from './dom.js';
import { overviewView } from './views/overview.js';
import { taskView } from './views/task.js';
import { tasksView } from './views/tasks.js';

const main = document.getElementById('view');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
let current;

/** #/ overview, #/tasks?status=… list, #/tasks/<id> one task. */
function route() {
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const taskId = path.match(/^\/tasks\/(.+)$/)?.[1];
  if (taskId) return taskView(decodeURIComponent(taskId));
  if (path === '/tasks') return tasksView(params);
  return overviewView();
}

function show() {
  current?.stop();
  current = route();
  fill(main, current.element);
  document.title = `${current.title} · Foreman`;
  for (const link of nav.querySelectorAll('a[data-view]')) {
    link.classList.toggle('active', link.dataset.view === current.title);
  }
  current.start();
}

async function start() {
  const me = await api('/me');
  fill(
    who,
    h('span', { class: 'user' }, me.userId),
    me.admin ? h('span', { class: 'badge badge-admin' }, 'admin') : null,
  );
  if (me.admin) {
    nav.append(h('a', { href: '/admin/queues', target: '_blank', rel: 'noopener' }, 'Bull Board ↗'));
  }
  document.getElementById('logout').addEventListener('click', async () => {
    await fetch('/logout', { method: 'POST', credentials: 'same-origin' });
    location.assign('/login');
  });
  window.addEventListener('hashchange', show);
  show();
}

start().catch((error) => {
  fill(main, h('p', { class: 'error' }, `The dashboard could not start: ${error.message}`));
});
