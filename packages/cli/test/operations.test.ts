import { waitFor } from '@foreman/core/testing';
import { WorkerHeartbeat } from '@foreman/metrics';
import { type CliRun, type CliSystem, startCliSystem } from './harness.js';

describe('foreman operator commands: dead letters, workers, queues', () => {
  let system: CliSystem;
  let heartbeat: WorkerHeartbeat;
  beforeAll(async () => {
    system = await startCliSystem('cli_ops');
    heartbeat = new WorkerHeartbeat({
      redis: system.redis.redis,
      prefix: system.redis.prefix,
      service: 'sync-worker',
      queue: 'sync',
      concurrency: 3,
    });
    await heartbeat.start();
  }, 90_000);
  afterAll(async () => {
    await heartbeat.stop();
    await system.stop();
  });

  const api = async <T>(path: string) => {
    const response = await fetch(`${system.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${system.adminKey}` },
    });
    return (await response.json()) as T;
  };
  const submit = async (task: string, payload: unknown, extra: string[] = []) =>
    (await system.cli(['submit', task, '--payload', JSON.stringify(payload), ...extra, '--json'])).json<{
      taskId: string;
    }>().taskId;

  it('lists dead letters and replays one, then all the rest', async () => {
    const dead = [
      await submit('file.checksum_file', { path: 'a.txt' }),
      await submit('file.checksum_file', { path: 'b.txt' }),
      await submit('file.checksum_file', { path: 'c.txt' }),
    ];
    await waitFor(
      async () => {
        const { deadLetters } = await api<{ deadLetters: unknown[] }>('/dead-letters');
        return deadLetters.length === 3 ? true : undefined;
      },
      { timeoutMs: 20_000, what: 'three dead letters' },
    );
    const [json, table] = await Promise.all([
      system.cli(['dead-letters', 'list', '--task', 'file.checksum_file', '--json']),
      system.cli(['dlq', '--not-replayed']),
    ]);
    expect(json.code).toBe(0);
    const letters = json.json<{ deadLetters: Array<{ taskId: string; error: string; replayedAs: null }> }>()
      .deadLetters;
    expect(letters.map((letter) => letter.taskId).sort()).toEqual([...dead].sort());
    expect(letters[0]?.error).toMatch(/^no such file: /);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TASK ID +TASK +USER +ATTEMPTS +FAILED +REPLAYED AS +ERROR$/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/file\.checksum_file +admin +1 +\d{4}-\d\d-\d\d \S+Z +- +no such file: /);

    const one = await system.cli(['dead-letters', 'replay', dead[0] as string, '--json']);
    expect(one.code).toBe(0);
    expect(one.json()).toEqual(expect.objectContaining({ replayOf: dead[0], status: 'pending' }));
    const twice = await system.cli(['dead-letters', 'replay', dead[0] as string, '--json']);
    expect(twice.code).toBe(1);
    expect(twice.error().code).toBe('TASK_STATE_CONFLICT');
    // Oldest first: the two originals left, not the dead letter the replayed task may have left by now.
    const rest = await system.cli([
      'dead-letters',
      'replay',
      '--all',
      '--task',
      'file.checksum_file',
      '--limit',
      '2',
    ]);
    expect(rest.code).toBe(0);
    expect(rest.stdout).toMatch(/^replayed 2, failed 0\nNEW TASK ID +TASK +QUEUE\n/);
    const replayed = await system.cli(['dead-letters', 'list', '--replayed', '--json']);
    expect(replayed.json<{ deadLetters: unknown[] }>().deadLetters).toHaveLength(3);

    const [missing, neither, both] = await Promise.all([
      system.cli(['dead-letters', 'replay', 'no-such-task', '--json']),
      system.cli(['dead-letters', 'replay']),
      system.cli(['dead-letters', 'list', '--replayed', '--not-replayed']),
    ]);
    expect(missing.code).toBe(4);
    expect(missing.error().code).toBe('DEAD_LETTER_NOT_FOUND');
    expect(neither.code).toBe(2);
    expect(both.code).toBe(2);
  });

  it('inspects workers: list, active, registered, stats, ping', async () => {
    const running = await submit('sync.fetch_url', { url: 'http://127.0.0.1:9/feed' });
    await waitFor(
      async () =>
        (await api<{ status: string }>(`/tasks/${running}`)).status === 'running' ? true : undefined,
      { timeoutMs: 20_000, what: 'a running task' },
    );
    const runs = await Promise.all(
      ['list', 'active', 'registered', 'stats', 'ping'].flatMap((sub) => [
        system.cli(['workers', sub, '--json']),
        system.cli(['workers', sub]),
      ]),
    );
    for (const run of runs) expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const [
      list,
      listTable,
      active,
      activeTable,
      registered,
      registeredTable,
      stats,
      statsTable,
      ping,
      pingTable,
    ] = runs as Ten<CliRun>;

    const queues = list.json<{ workers: Array<{ queue: string }> }>().workers.map((worker) => worker.queue);
    expect(new Set(queues)).toEqual(new Set(['maintenance', 'file', 'sync']));
    expect(listTable.stdout.split('\n')[0]).toMatch(/^QUEUE +ID +ADDRESS +UP +IDLE$/);

    expect(active.json()).toEqual({
      active: [expect.objectContaining({ taskId: running, name: 'sync.fetch_url', queue: 'sync' })],
    });
    expect(activeTable.stdout).toMatch(
      new RegExp(`^${running} +sync\\.fetch_url +sync +\\S+ \\S+Z +10%$`, 'm'),
    );

    expect(registered.json<{ queues: Record<string, string[]> }>().queues.sync).toContain('sync.fetch_url');
    expect(registeredTable.stdout).toMatch(/^sync +sync\.fetch_url$/m);

    expect(stats.json<{ queues: Record<string, unknown> }>().queues.sync).toEqual({
      processes: 1,
      slots: 3,
      active: 1,
      waiting: 0,
    });
    expect(statsTable.stdout).toMatch(/^sync +1 +3 +1 +0$/m);
    expect(statsTable.stdout).toMatch(/^\S+ +sync-worker +sync +3 +\d+s ago$/m);

    expect(ping.json<{ queues: Record<string, { ok: boolean }> }>().queues).toEqual(
      expect.objectContaining({ sync: { workers: 1, ok: true }, email: { workers: 0, ok: false } }),
    );
    expect(pingTable.stdout).toMatch(/^email +0 +no$/m);

    const [pingOk, pingSilent, pingUnknown] = await Promise.all([
      system.cli(['workers', 'ping', 'sync', 'file', '--json']),
      system.cli(['workers', 'ping', 'sync', 'email']),
      system.cli(['workers', 'ping', 'nope', '--json']),
    ]);
    expect(pingOk.code).toBe(0);
    expect(Object.keys(pingOk.json<{ queues: object }>().queues).sort()).toEqual(['file', 'sync']);
    expect(pingSilent.code).toBe(1);
    expect(pingSilent.stderr).toBe('foreman: NO_WORKERS: No worker answers on email\n');
    expect(pingUnknown.code).toBe(4);
    system.release();
  });

  it('shows queue depths, cleans, pauses, resumes, and purges only when confirmed', async () => {
    for (let i = 0; i < 2; i++)
      await submit('email.send_email', { to: ['a@b.test'], subject: 's', text: 't' });
    await submit('email.send_email', { to: ['a@b.test'], subject: 's', text: 't' }, ['--delay', '1h']);
    const [json, table] = await Promise.all([system.cli(['queues', '--json']), system.cli(['queues'])]);
    const email = json
      .json<{ queues: Array<{ name: string; counts: Record<string, number> }> }>()
      .queues.find((queue) => queue.name === 'email');
    expect(email?.counts).toEqual(expect.objectContaining({ waiting: 2, delayed: 1 }));
    expect(table.stdout.split('\n')[0]).toMatch(
      /^QUEUE +PAUSED +WAITING +PRIORITIZED +DELAYED +ACTIVE +COMPLETED +FAILED +DONE\/MIN +FAILED\/MIN$/,
    );
    expect(table.stdout).toMatch(/^email +no +2 +0 +1 +0 +0 +0 +0\.0 +0\.0$/m);

    const [clean, cleanTable] = await Promise.all([
      system.cli(['queue', 'clean', 'maintenance', '--json']),
      system.cli(['queue', 'clean', 'file', '--status', 'failed', '--grace', '0s', '--limit', '10']),
    ]);
    expect(clean.json()).toEqual({ queue: 'maintenance', removed: expect.any(Number) });
    expect(cleanTable.stdout).toMatch(/^removed \d+ failed jobs from file\n$/);

    const paused = await system.cli(['queue', 'pause', 'email', '--json']);
    expect(paused.json()).toEqual({ name: 'email', paused: true });
    const resumed = await system.cli(['queue', 'resume', 'email']);
    expect(resumed.stdout).toBe('email resumed\n');

    // Without --yes the cli asks; no answer (or anything but yes) purges nothing.
    const refused = await system.cli(['queue', 'purge', 'email']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Cancel every task of queue "email" that has not started? [y/N]');
    expect(refused.stderr).toContain('ABORTED');
    const declined = await system.cli(['queue', 'purge', 'email'], { input: 'n\n' });
    expect(declined.code).toBe(1);
    expect(
      (await api<{ queues: Array<{ name: string; counts: Record<string, number> }> }>('/queues')).queues.find(
        (queue) => queue.name === 'email',
      )?.counts,
    ).toEqual(expect.objectContaining({ waiting: 2, delayed: 1 }));

    const confirmed = await system.cli(['queue', 'purge', 'email'], { input: 'y\n' });
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toBe('cancelled 3 tasks of email\n');
    await submit('email.send_email', { to: ['a@b.test'], subject: 's', text: 't' });
    const forced = await system.cli(['queue', 'purge', 'email', '--yes', '--json']);
    expect(forced.json()).toEqual({ queue: 'email', cancelled: 1 });

    const [unknownQueue, badStatus, notAdmin] = await Promise.all([
      system.cli(['queue', 'purge', 'nope', '--yes', '--json']),
      system.cli(['queue', 'clean', 'email', '--status', 'everything']),
      system.cli(['queue', 'pause', 'email', '--json'], { env: { FOREMAN_API_KEY: await userKey() } }),
    ]);
    expect(unknownQueue.code).toBe(4);
    expect(unknownQueue.error().code).toBe('QUEUE_NOT_FOUND');
    expect(badStatus.code).toBe(2);
    expect(notAdmin.code).toBe(3);
    expect(notAdmin.error().code).toBe('FORBIDDEN');
  });

  const userKey = async () => {
    const created = await system.cli(['keys', 'create', '--user', 'carol', '--json']);
    return created.json<{ key: string }>().key;
  };
});

type Ten<T> = [T, T, T, T, T, T, T, T, T, T];
