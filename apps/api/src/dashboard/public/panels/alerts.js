import { apiOrNull } from '../api.js';
import { badge, fill, formatTime, formatValue, h, panel, relativeTime } from '../dom.js';

/** Alerts that are firing or acknowledged, most severe and newest first (admin). */
export function alertsPanel() {
  const { element, body } = panel('Active alerts', { id: 'alerts' });
  return {
    element,
    async refresh() {
      const [firing, acknowledged] = await Promise.all([
        apiOrNull('/alerts?status=firing&limit=50'),
        apiOrNull('/alerts?status=acknowledged&limit=50'),
      ]);
      if (!firing || !acknowledged) {
        fill(body, h('p', { class: 'muted' }, 'Alerts are shown to admin keys.'));
        return;
      }
      const severity = (alert) => (alert.severity === 'critical' ? 0 : 1);
      const alerts = [...firing.alerts, ...acknowledged.alerts].sort(
        (a, b) => severity(a) - severity(b) || b.firedAt.localeCompare(a.firedAt),
      );
      if (alerts.length === 0) {
        fill(body, h('p', { class: 'all-clear' }, 'No active alert.'));
        return;
      }
      fill(
        body,
        h(
          'ul',
          { class: 'alerts' },
          alerts.map((alert) =>
            h(
              'li',
              { class: `alert alert-${alert.severity}` },
              h(
                'div',
                null,
                badge(alert.severity),
                ' ',
                badge(alert.status),
                ' ',
                h('strong', null, alert.ruleId),
              ),
              h('div', null, alert.message),
              h(
                'div',
                { class: 'muted' },
                `value ${formatValue(alert.value)} / threshold ${formatValue(alert.threshold)} · fired `,
                h('span', { title: formatTime(alert.firedAt) }, relativeTime(alert.firedAt)),
              ),
            ),
          ),
        ),
      );
    },
  };
}
