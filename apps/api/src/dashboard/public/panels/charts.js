import { apiOrNull } from '../api.js';
import { fill, formatMs, formatNumber, h, panel, table } from '../dom.js';
import uPlot from '../vendor/uPlot.esm.js';

const WINDOW_MS = 60_000;
const KEEP_MS = 30 * 60_000;
const STORE = 'foreman.dashboard.samples';
const COLORS = ['#2563eb', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777'];
const MAX_LATENCY_SERIES = COLORS.length;

/**
 * Throughput (tasks finished per minute) and latency (p95 run time per task type) over time,
 * sampled from GET /metrics/summary (last minute) at every refresh while the page is open; the
 * samples survive a reload in sessionStorage. Below: every task type over the last five minutes.
 */
export function chartsPanel() {
  const { element, body } = panel('Throughput and latency', { id: 'charts', wide: true });
  const throughputBox = h('div', { class: 'chart', id: 'throughput-chart' });
  const latencyBox = h('div', { class: 'chart', id: 'latency-chart' });
  const summaryBox = h('div', { class: 'chart-table' });
  const layout = h(
    'div',
    { class: 'charts' },
    h('figure', null, h('figcaption', null, 'Throughput (tasks/min, last minute)'), throughputBox),
    h('figure', null, h('figcaption', null, 'Latency (p95 run time per task type)'), latencyBox),
  );
  const samples = restore();
  const charts = { throughput: undefined, latency: undefined, latencyKey: '' };
  let shown = false;

  new ResizeObserver(() => {
    for (const [chart, box] of [
      [charts.throughput, throughputBox],
      [charts.latency, latencyBox],
    ]) {
      chart?.setSize({ width: box.clientWidth, height: 200 });
    }
  }).observe(layout);

  return {
    element,
    async refresh() {
      const [minute, fiveMinutes] = await Promise.all([
        apiOrNull(`/metrics/summary?windowMs=${WINDOW_MS}`, [404]),
        apiOrNull('/metrics/summary?windowMs=300000', [404]),
      ]);
      if (!minute || !fiveMinutes) {
        fill(body, h('p', { class: 'muted' }, 'This api serves no metrics.'));
        return;
      }
      samples.push(toSample(minute));
      const cutoff = Date.now() / 1_000 - KEEP_MS / 1_000;
      while (samples.length && samples[0].t < cutoff) samples.shift();
      sessionStorage.setItem(STORE, JSON.stringify(samples));
      if (!shown) {
        fill(body, layout, summaryBox);
        shown = true;
      }
      drawThroughput(charts, throughputBox, samples);
      drawLatency(charts, latencyBox, samples);
      fill(summaryBox, summaryTable(fiveMinutes.tasks));
    },
  };
}

function restore() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORE) ?? '[]');
    return Array.isArray(saved) ? saved : [];
  } catch {
    return [];
  }
}

function toSample(summary) {
  const p95 = {};
  let completed = 0;
  let failed = 0;
  for (const task of summary.tasks) {
    completed += task.completed;
    failed += task.failed;
    if (task.durationMs.count > 0) p95[task.task] = task.durationMs.p95;
  }
  const perMinute = 60_000 / summary.windowMs;
  return { t: Date.now() / 1_000, completed: completed * perMinute, failed: failed * perMinute, p95 };
}

const baseOptions = (box, series, yLabel) => ({
  width: box.clientWidth || 480,
  height: 200,
  legend: { live: false },
  cursor: { drag: { x: false, y: false } },
  scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
  axes: [
    { stroke: '#64748b', grid: { stroke: '#e2e8f0' } },
    { stroke: '#64748b', grid: { stroke: '#e2e8f0' }, label: yLabel, size: 56 },
  ],
  series: [{}, ...series],
});

function drawThroughput(charts, box, samples) {
  const data = [
    samples.map((sample) => sample.t),
    samples.map((sample) => sample.completed),
    samples.map((sample) => sample.failed),
  ];
  if (!charts.throughput) {
    const series = [
      { label: 'completed/min', stroke: '#16a34a', fill: 'rgba(22,163,74,0.12)', width: 2 },
      { label: 'failed/min', stroke: '#dc2626', width: 2 },
    ];
    charts.throughput = new uPlot(baseOptions(box, series, 'per min'), data, box);
  } else charts.throughput.setData(data);
}

function drawLatency(charts, box, samples) {
  const totals = new Map();
  for (const sample of samples) {
    for (const task of Object.keys(sample.p95)) totals.set(task, (totals.get(task) ?? 0) + 1);
  }
  const tasks = [...totals.keys()]
    .sort((a, b) => totals.get(b) - totals.get(a) || a.localeCompare(b))
    .slice(0, MAX_LATENCY_SERIES)
    .sort();
  const data = [
    samples.map((sample) => sample.t),
    ...tasks.map((task) => samples.map((sample) => sample.p95[task] ?? null)),
  ];
  const key = tasks.join('|');
  if (charts.latency && charts.latencyKey === key) {
    charts.latency.setData(data);
    return;
  }
  charts.latency?.destroy();
  const series = tasks.map((task, index) => ({
    label: task,
    stroke: COLORS[index],
    width: 2,
    value: (_u, value) => (value === null ? '–' : formatMs(value)),
  }));
  charts.latency = new uPlot(baseOptions(box, series, 'ms'), data, box);
  charts.latencyKey = key;
}

function summaryTable(tasks) {
  const rows = [...tasks]
    .sort((a, b) => b.completed + b.failed - (a.completed + a.failed))
    .map((task) =>
      h(
        'tr',
        null,
        h('td', null, task.task),
        h('td', { class: 'num' }, formatNumber(task.completed)),
        h('td', { class: task.failed ? 'num bad' : 'num' }, formatNumber(task.failed)),
        h('td', { class: 'num' }, formatMs(task.durationMs.p50)),
        h('td', { class: 'num' }, formatMs(task.durationMs.p95)),
        h('td', { class: 'num' }, formatMs(task.durationMs.p99)),
        h('td', { class: 'num' }, formatMs(task.waitMs.p95)),
      ),
    );
  return table(['Task type (last 5 min)', 'Done', 'Failed', 'p50', 'p95', 'p99', 'Wait p95'], rows, {
    empty: 'No task finished in the last five minutes.',
  });
}
