import { parseProcNetDev } from '../src/system/host-metrics.js';

describe('parseProcNetDev', () => {
  it('reads received and sent bytes per interface after the two header lines', () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo: 1035672873  742924    0    0    0     0          0         0 1035672873  742924    0    0    0     0       0          0',
      '  eth0:12345 10 0 0 0 0 0 0 678 9 0 0 0 0 0 0',
      '',
    ].join('\n');
    expect(parseProcNetDev(text)).toEqual([
      { iface: 'lo', rx: 1035672873, tx: 1035672873 },
      { iface: 'eth0', rx: 12345, tx: 678 },
    ]);
  });

  it('skips lines that are not interface counters', () => {
    expect(parseProcNetDev('h1\nh2\nnot a counter line\n  x: 1 2\n')).toEqual([]);
  });
});
