import { readFile, statfs } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import type { Meter } from '@opentelemetry/api';

export interface HostMetricsOptions {
  meter: Meter;
  /** File system whose space is reported (the app's data directory). */
  diskPath?: string;
}

/** CPU, memory, disk and network of the machine the app runs on. */
export class HostMetrics {
  private previousCpu = cpuTimes();

  constructor(options: HostMetricsOptions) {
    const { meter } = options;
    meter
      .createObservableGauge('foreman_host_cpu_utilization', {
        description: 'Share of CPU time not idle since the previous scrape, 0..1',
      })
      .addCallback((result) => {
        const now = cpuTimes();
        const total = now.total - this.previousCpu.total;
        const idle = now.idle - this.previousCpu.idle;
        this.previousCpu = now;
        if (total > 0) result.observe(1 - idle / total);
      });
    meter
      .createObservableGauge('foreman_host_load_average', { description: 'System load average' })
      .addCallback((result) => {
        const [one, five, fifteen] = loadavg();
        result.observe(one ?? 0, { period: '1m' });
        result.observe(five ?? 0, { period: '5m' });
        result.observe(fifteen ?? 0, { period: '15m' });
      });
    meter
      .createObservableGauge('foreman_host_memory_bytes', { description: 'Memory of the host' })
      .addCallback((result) => {
        const total = totalmem();
        const free = freemem();
        result.observe(total, { state: 'total' });
        result.observe(total - free, { state: 'used' });
        result.observe(free, { state: 'free' });
      });
    const diskPath = options.diskPath ?? '.';
    meter
      .createObservableGauge('foreman_host_disk_bytes', { description: 'Space of the data file system' })
      .addCallback(async (result) => {
        // The data directory may not exist yet (embedded database not opened); report nothing then.
        const stats = await statfs(diskPath).catch(() => undefined);
        if (!stats) return;
        const total = stats.blocks * stats.bsize;
        const free = stats.bavail * stats.bsize;
        result.observe(total, { state: 'total' });
        result.observe(total - free, { state: 'used' });
        result.observe(free, { state: 'free' });
      });
    meter
      .createObservableCounter('foreman_host_network_bytes', {
        description: 'Bytes through the network interfaces since boot',
      })
      .addCallback(async (result) => {
        for (const stats of await networkBytes()) {
          result.observe(stats.rx, { interface: stats.iface, direction: 'rx' });
          result.observe(stats.tx, { interface: stats.iface, direction: 'tx' });
        }
      });
  }
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    idle += cpu.times.idle;
    total += cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.idle + cpu.times.irq;
  }
  return { idle, total };
}

interface InterfaceBytes {
  iface: string;
  rx: number;
  tx: number;
}

/**
 * Bytes received and sent per interface since boot: from /proc/net/dev on Linux (where the apps
 * are deployed); elsewhere from systeminformation, loaded with the first scrape that needs it, so
 * that no worker holds its code (or spawns its commands) on Linux.
 */
async function networkBytes(): Promise<InterfaceBytes[]> {
  if (process.platform === 'linux') {
    const text = await readFile('/proc/net/dev', 'utf8').catch(() => undefined);
    if (text !== undefined) return parseProcNetDev(text);
  }
  const { default: si } = await import('systeminformation');
  return (await si.networkStats('*')).map((stats) => ({
    iface: stats.iface,
    rx: stats.rx_bytes,
    tx: stats.tx_bytes,
  }));
}

/** `face: rx_bytes rx_packets … (8 receive columns) tx_bytes …`, after two header lines. */
export function parseProcNetDev(text: string): InterfaceBytes[] {
  const interfaces: InterfaceBytes[] = [];
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const columns = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    const rx = columns[0];
    const tx = columns[8];
    if (rx === undefined || tx === undefined || Number.isNaN(rx) || Number.isNaN(tx)) continue;
    interfaces.push({ iface: line.slice(0, colon).trim(), rx, tx });
  }
  return interfaces;
}
