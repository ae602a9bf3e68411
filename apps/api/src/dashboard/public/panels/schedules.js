import { apiOrNull } from '../api.js';
import { badge, fill, formatMs, formatTime, h, panel, relativeTime, table } from '../dom.js';

/** The key's user's schedules (admins: all) with their next and last run, soonest first. */
export function schedulesPanel() {
  const { element, body } = panel('Schedules', { id: 'schedules' });
  return {
    element,
    async refresh() {
      const answer = await apiOrNull('/schedules');
      if (!answer) {
        fill(body, h('p', { class: 'muted' }, 'This key may not read schedules.'));
        return;
      }
      const next = (schedule) => (schedule.nextRunAt ? new Date(schedule.nextRunAt).getTime() : Infinity);
      const rows = answer.schedules
        .sort((a, b) => next(a) - next(b))
        .map((schedule) =>
          h(
            'tr',
            { 'data-schedule': schedule.id },
            h('td', { title: schedule.description || schedule.id }, schedule.taskName),
            h(
              'td',
              { class: 'mono' },
              schedule.cron ?? `every ${formatMs(schedule.everyMs)}`,
              schedule.cron ? h('div', { class: 'muted small' }, schedule.timezone) : null,
            ),
            h('td', null, schedule.ownerUserId ?? 'declared'),
            h('td', { title: formatTime(schedule.nextRunAt) }, relativeTime(schedule.nextRunAt)),
            h(
              'td',
              { title: formatTime(schedule.lastRunAt) },
              schedule.lastTaskId
                ? h(
                    'a',
                    { href: `#/tasks/${encodeURIComponent(schedule.lastTaskId)}` },
                    relativeTime(schedule.lastRunAt),
                  )
                : relativeTime(schedule.lastRunAt),
            ),
            h('td', null, schedule.enabled ? badge('enabled', 'ok') : badge('paused')),
          ),
        );
      fill(
        body,
        table(['Task', 'When', 'Owner', 'Next run', 'Last run', 'State'], rows, { empty: 'No schedule.' }),
      );
    },
  };
}
