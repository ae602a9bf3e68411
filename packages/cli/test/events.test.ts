import { tcpProxy, waitFor } from '@foreman/core/testing';
import { type CliSystem, startCliSystem } from './harness.js';

describe('foreman events', () => {
  let system: CliSystem;
  beforeAll(async () => {
    system = await startCliSystem('cli_events');
  }, 90_000);
  afterAll(() => system.stop());

  const api = async <T>(path: string, init: RequestInit = {}) => {
    const response = await fetch(`${system.baseUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${system.adminKey}`, 'content-type': 'application/json' },
    });
    return (await response.json()) as T;
  };
  const completed = (taskId: string) =>
    waitFor(
      async () =>
        (await api<{ status: string }>(`/tasks/${taskId}`)).status === 'completed' ? true : undefined,
      {
        timeoutMs: 20_000,
        what: `${taskId} completed`,
      },
    );
  const lifecycle = ['completed', 'progress', 'started', 'submitted'];
  const delayedTask = async () =>
    (await system.cli(['submit', 'maintenance.health_check', '--delay', '1h', '--json'])).json<{
      taskId: string;
    }>().taskId;
  const cancelledLine = (taskId: string) =>
    new RegExp(`^\\S+ \\S+Z  cancelled  ${taskId}  maintenance\\.health_check\\n$`);

  /** `foreman events --task <id>` running, once it says it listens. */
  const listen = async (taskId: string, env: Record<string, string> = {}) => {
    const child = system.spawnCli(['events', '--task', taskId], env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await waitFor(() => (stderr.includes('following events') ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the cli to listen',
    }).catch((error: unknown) => {
      child.kill();
      throw error;
    });
    return {
      stdout: () => stdout,
      stderr: () => stderr,
      exit: () => within(exited, 30_000, 'the cli to end'),
      kill: () => child.kill(),
    };
  };

  it('replays one task’s events from the start of the stream and stops at its end', async () => {
    const taskId = (await system.cli(['submit', 'maintenance.health_check', '--json'])).json<{
      taskId: string;
    }>().taskId;
    await completed(taskId);
    const [json, table] = await Promise.all([
      system.cli(['events', '--task', taskId, '--from', '0-0', '--json']),
      system.cli(['events', '--task', taskId, '--from', '0-0']),
    ]);
    expect(json.code).toBe(0);
    const events = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; type: string; taskId: string; percent?: number });
    // `submitted` (from the api) may land after the worker's first events; the rest are in order.
    expect(events.map((event) => event.type).sort()).toEqual(lifecycle);
    expect(events.at(-1)?.type).toBe('completed');
    expect(events.every((event) => event.taskId === taskId && /^\d+-\d+$/.test(event.id))).toBe(true);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      new RegExp(`^\\S+ \\S+Z  progress   ${taskId}  maintenance\\.health_check  50%  half way$`, 'm'),
    );
    expect(table.stderr).toBe('following events from 0-0 (Ctrl-C stops)\n');
  });

  it('follows a workflow run’s nodes only', async () => {
    const { workflowId } = await api<{ workflowId: string }>('/workflows', {
      method: 'POST',
      body: JSON.stringify({
        name: 'pair',
        nodes: [
          { key: 'left', task: 'maintenance.health_check' },
          { key: 'right', task: 'maintenance.health_check' },
        ],
      }),
    });
    await system.cli(['submit', 'maintenance.health_check']);
    await completed(`${workflowId}.left`);
    await completed(`${workflowId}.right`);
    const run = await system.cli([
      'events',
      '--workflow',
      workflowId,
      '--from',
      '0-0',
      '--count',
      '8',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; taskId: string; workflowId: string });
    expect(events).toHaveLength(8);
    expect(new Set(events.map((event) => event.taskId))).toEqual(
      new Set([`${workflowId}.left`, `${workflowId}.right`]),
    );
    expect(events.every((event) => event.workflowId === workflowId)).toBe(true);
  });

  it('streams live: a task cancelled while the cli listens ends the command', async () => {
    const taskId = await delayedTask();
    const listener = await listen(taskId);
    try {
      expect((await system.cli(['cancel', taskId])).code).toBe(0);
      expect(await listener.exit()).toBe(0);
      expect(listener.stdout()).toMatch(cancelledLine(taskId));
    } finally {
      listener.kill();
    }
  });

  it('resumes after a dropped connection without losing the events published meanwhile', async () => {
    const proxy = await tcpProxy(Number(new URL(system.baseUrl).port));
    const taskId = await delayedTask();
    const listener = await listen(taskId, { FOREMAN_URL: proxy.url });
    try {
      // Cut the connection, and cancel while the cli cannot get back: the event must still reach it.
      proxy.dropConnections();
      await waitFor(() => (listener.stderr().includes('event stream interrupted') ? true : undefined), {
        timeoutMs: 30_000,
        what: 'the cli to notice',
      });
      expect((await system.cli(['cancel', taskId])).code).toBe(0);
      expect(listener.stdout()).toBe('');
      proxy.release();
      expect(await listener.exit()).toBe(0);
      expect(listener.stderr()).toContain('event stream interrupted; resuming after');
      expect(listener.stdout()).toMatch(cancelledLine(taskId));
      expect(proxy.connections()).toBeGreaterThanOrEqual(2);
    } finally {
      listener.kill();
      await proxy.close();
    }
  });

  it('refuses a bad resume position and a bad key', async () => {
    const [badFrom, badKey] = await Promise.all([
      system.cli(['events', '--from', 'yesterday', '--json']),
      system.cli(['events', '--json'], { env: { FOREMAN_API_KEY: 'fm_nope_nope_nope_nope' } }),
    ]);
    expect(badFrom.code).toBe(1);
    expect(badFrom.error().code).toBe('EVENT_ID_INVALID');
    expect(badKey.code).toBe(3);
    expect(badKey.error().code).toBe('UNAUTHENTICATED');
  });
});

/** `promise`, or a failure after `ms`: a cli that never ends fails its test and is killed. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
