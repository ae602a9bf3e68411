import { apiOrNull } from '../api.js';
import { badge, fill, formatMs, formatTime, h, panel, relativeTime, table } from '../dom.js';

/** Recurring schedules with their next run (admin: schedules belong to no user). */
export function schedulesPanel() {
  const { element, body } = panel('Schedules', { id: 'schedules' });
  return {
    element,
    async refresh() {
      const answer = await apiOrNull('/schedules');
      if (!answer) {
        fill(body, h('p', { class: 'muted' }, 'Schedules are shown to admin keys.'));
        return;
      }
      const { schedules } = answer;
      const next = (schedule) => (schedule.nextRunAt ? new Date(schedule.nextRunAt).getTime() : Infinity);
      const rows = schedules
        .sort((a, b) => next(a) - next(b))
        .map((schedule) =>
          h(
            'tr',
            null,
            h('td', { title: schedule.description }, schedule.taskName),
            h(
              'td',
              { class: 'mono' },
              schedule.cron ? `${schedule.cron} ${schedule.timezone}` : `every ${formatMs(schedule.everyMs)}`,
            ),
            h('td', { title: formatTime(schedule.nextRunAt) }, relativeTime(schedule.nextRunAt)),
            h('td', null, schedule.enabled ? badge('enabled', 'ok') : badge('paused')),
          ),
        );
      fill(body, table(['Task', 'When', 'Next run', 'State'], rows, { empty: 'No schedule.' }));
    },
  };
}
