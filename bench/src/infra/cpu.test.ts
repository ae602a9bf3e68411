import { spawnSync } from 'node:child_process';
import { readCpuMs } from './cpu.js';

describe('readCpuMs', () => {
  it("keeps a reaped child's time when asked, so a sum over processes never falls", () => {
    const ownBefore = readCpuMs(process.pid)!;
    const withChildrenBefore = readCpuMs(process.pid, true)!;
    // A child that burns 300 ms of CPU and exits; spawnSync waits for it, which reaps it.
    const child = spawnSync(process.execPath, [
      '-e',
      'const end = Date.now() + 300; while (Date.now() < end);',
    ]);
    expect(child.status).toBe(0);
    const withChildren = readCpuMs(process.pid, true)! - withChildrenBefore;
    const own = readCpuMs(process.pid)! - ownBefore;
    expect(withChildren).toBeGreaterThanOrEqual(200);
    expect(own).toBeLessThan(withChildren - 150);
  });

  it('is undefined for a process that is gone', () => {
    const child = spawnSync(process.execPath, ['-e', '']);
    expect(readCpuMs(child.pid!)).toBeUndefined();
  });
});
