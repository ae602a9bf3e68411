import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@foreman/core/testing';
import { type CliSystem, startCliSystem } from './harness.js';

describe('foreman tasks commands', () => {
  let system: CliSystem;
  beforeAll(async () => {
    system = await startCliSystem('cli_tasks');
  }, 90_000);
  afterAll(() => system.stop());

  const record = async (id: string) => {
    const response = await fetch(`${system.baseUrl}/tasks/${id}`, {
      headers: { authorization: `Bearer ${system.adminKey}` },
    });
    return (await response.json()) as { status: string };
  };
  const settled = (id: string, status: string) =>
    waitFor(async () => ((await record(id)).status === status ? true : undefined), {
      timeoutMs: 20_000,
      what: `task ${id} ${status}`,
    });

  it('submits (payload inline, from a file, from stdin) and shows the task as JSON and as a table', async () => {
    const inline = await system.cli(['submit', 'maintenance.health_check', '--payload', '{}', '--json']);
    expect(inline.code).toBe(0);
    const submitted = inline.json<{ taskId: string; name: string; queue: string; status: string }>();
    expect(submitted).toEqual(
      expect.objectContaining({ name: 'maintenance.health_check', queue: 'maintenance', status: 'pending' }),
    );

    const path = join(tmpdir(), `cli-payload-${process.pid}.json`);
    await writeFile(path, '{}');
    const [fromFile, fromStdin] = await Promise.all([
      system.cli(['submit', 'maintenance.health_check', '--payload', `@${path}`, '--priority', '2']),
      system.cli(['--json', 'submit', 'maintenance.health_check', '-p', '-'], { input: '{}' }),
    ]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(
      /^task id +\S+\ntask +maintenance\.health_check\nqueue +maintenance\nstatus +pending\n$/,
    );
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.json<{ taskId: string }>().taskId).toEqual(expect.any(String));

    await settled(submitted.taskId, 'completed');
    const [json, table] = await Promise.all([
      system.cli(['status', submitted.taskId, '--json']),
      system.cli(['status', submitted.taskId]),
    ]);
    expect(json.code).toBe(0);
    expect(json.json()).toEqual(
      expect.objectContaining({
        id: submitted.taskId,
        status: 'completed',
        progress: 50,
        progressMessage: 'half way',
        result: expect.objectContaining({ redisMs: 1 }),
      }),
    );
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`id         ${submitted.taskId}`);
    expect(table.stdout).toMatch(/^status +completed$/m);
    expect(table.stdout).toMatch(/^attempts +1 of 1$/m);
    expect(table.stdout).toMatch(/^progress +50% half way$/m);
    expect(table.stdout).toMatch(/^result +\{"redisMs":1,/m);
  });

  it('waits for the end with --wait: the record, and exit 1 unless completed', async () => {
    const [done, failed, stuck] = await Promise.all([
      system.cli(['submit', 'maintenance.health_check', '--wait']),
      system.cli(['submit', 'file.checksum_file', '-p', '{"path":"gone.txt"}', '--wait', '--json']),
      system.cli([
        'submit',
        'email.send_email',
        '-p',
        '{"to":["a@b.test"],"subject":"s","text":"t"}',
        '--wait',
        '--wait-timeout',
        '1s',
      ]),
    ]);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^status +completed$/m);
    expect(done.stdout).toMatch(/^result +\{"redisMs":1,/m);
    expect(done.stderr).toMatch(/^submitted \S+; waiting for it to end\n$/);
    expect(failed.code).toBe(1);
    expect(failed.json()).toEqual(
      expect.objectContaining({ status: 'failed', error: 'no such file: gone.txt' }),
    );
    expect(failed.error()).toEqual({
      code: 'TASK_FAILED',
      message: expect.stringMatching(/failed: no such file: gone\.txt$/),
    });
    expect(stuck.code).toBe(1);
    expect(stuck.stderr).toMatch(/foreman: WAIT_TIMEOUT: Task \S+ is still pending after 1\.0s\n$/);
  });

  it('prints the id alone with --quiet, once the task ended with --wait', async () => {
    const [quiet, waited, withJson] = await Promise.all([
      system.cli(['submit', 'maintenance.health_check', '-q']),
      system.cli(['submit', 'maintenance.health_check', '--wait', '--quiet']),
      system.cli(['submit', 'maintenance.health_check', '-q', '--json']),
    ]);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n$/;
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(uuid);
    await settled(quiet.stdout.trim(), 'completed');
    expect({ code: waited.code, stderr: waited.stderr }).toEqual({ code: 0, stderr: '' });
    expect(waited.stdout).toMatch(uuid);
    expect((await record(waited.stdout.trim())).status).toBe('completed');
    expect(withJson.code).toBe(2);
    expect(withJson.error()).toEqual({ code: 'USAGE', message: '--quiet and --json: choose one' });
  });

  it('lists with filters and pages with the cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await system.cli(['submit', 'maintenance.health_check', '--delay', '10m', '--json']);
      ids.push(run.json<{ taskId: string }>().taskId);
    }
    const first = await system.cli([
      'list',
      '--status',
      'pending',
      '--task',
      'maintenance.health_check',
      '--since',
      '1h',
      '--limit',
      '2',
      '--json',
    ]);
    expect(first.code).toBe(0);
    const page = first.json<{ tasks: Array<{ id: string; status: string }>; nextCursor: string }>();
    expect(page.tasks.map((task) => task.id)).toEqual([ids[2], ids[1]]);
    expect(page.nextCursor).toEqual(expect.any(String));

    const second = await system.cli([
      'list',
      '--status',
      'pending',
      '--limit',
      '2',
      '--cursor',
      page.nextCursor,
    ]);
    expect(second.code).toBe(0);
    const lines = second.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID +TASK +STATUS +USER +ATTEMPTS +CREATED +DURATION$/);
    expect(lines[1]).toMatch(new RegExp(`^${ids[0]} +maintenance\\.health_check +pending +admin +0 `));

    const none = await system.cli(['list', '--until', '2000-01-01T00:00:00Z']);
    expect(none.stdout).toBe('(none)\n');
  });

  it('searches with --search and --where', async () => {
    const submit = async (url: string) =>
      (
        await system.cli([
          'submit',
          'sync.fetch_url',
          '--payload',
          JSON.stringify({ url }),
          '--delay',
          '10m',
          '--json',
        ])
      ).json<{ taskId: string }>().taskId;
    const found = await submit('https://cli-search.example.net/found');
    const other = await submit('https://cli-search.example.net/other');
    const list = async (...args: string[]) => {
      const run = await system.cli(['list', ...args, '--json']);
      expect(run.code).toBe(0);
      return run.json<{ tasks: Array<{ id: string }> }>().tasks.map((task) => task.id);
    };
    expect(await list('--search', 'cli-search.example.net')).toEqual([other, found]);
    expect(await list('--where', 'payload.url=https://cli-search.example.net/found')).toEqual([found]);
    expect(
      await list(
        '--search',
        'cli-search.example.net',
        '--where',
        'payload.url=https://cli-search.example.net/other',
        '--where',
        'payload.method=POST',
      ),
    ).toEqual([]);

    const [notPayload, badPath] = await Promise.all([
      system.cli(['list', '--where', 'to=a@b.c']),
      system.cli(['list', '--where', 'payload..to=a@b.c', '--json']),
    ]);
    expect({ code: notPayload.code, stderr: notPayload.stderr }).toEqual({
      code: 2,
      stderr: expect.stringContaining('--where must be payload.<field>=<value>'),
    });
    expect(badPath.error()).toEqual(
      expect.objectContaining({
        code: 'QUERY_INVALID',
        details: [expect.objectContaining({ path: 'payload..to' })],
      }),
    );
  });

  it('cancels a waiting task and retries a failed one', async () => {
    const waiting = (
      await system.cli(['submit', 'maintenance.health_check', '--delay', '1h', '--json'])
    ).json<{
      taskId: string;
    }>().taskId;
    const another = (
      await system.cli(['submit', 'maintenance.health_check', '--delay', '1h', '--json'])
    ).json<{
      taskId: string;
    }>().taskId;
    const [json, table] = await Promise.all([
      system.cli(['cancel', waiting, '--json']),
      system.cli(['cancel', another]),
    ]);
    expect(json.json()).toEqual({ taskId: waiting, status: 'cancelled', was: 'delayed' });
    expect(table.stdout).toBe(`cancelled ${another} (it was delayed)\n`);
    await settled(waiting, 'cancelled');

    const failing = (
      await system.cli(['submit', 'file.checksum_file', '--payload', '{"path":"nope.txt"}', '--json'])
    ).json<{ taskId: string }>().taskId;
    await settled(failing, 'failed');
    const retried = await system.cli(['retry', failing, '--json']);
    expect(retried.code).toBe(0);
    expect(retried.json()).toEqual(expect.objectContaining({ taskId: failing, status: 'pending' }));
    await settled(failing, 'failed');
    const again = await system.cli(['retry', failing]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^task id +${failing}$`, 'm'));
  });

  it('fails with the api’s error, an exit code per kind, and never echoes the key', async () => {
    const badKey = 'fm_not_a_real_key_0123456789';
    const [unauthorized, unauthorizedText] = await Promise.all([
      system.cli(['status', 'whatever', '--json'], { env: { FOREMAN_API_KEY: badKey } }),
      system.cli(['list', '--key', badKey]),
    ]);
    expect(unauthorized.code).toBe(3);
    expect(unauthorized.stdout).toBe('');
    expect(unauthorized.error()).toEqual({ code: 'UNAUTHENTICATED', message: 'Unknown or revoked api key' });
    expect(unauthorizedText.code).toBe(3);
    expect(unauthorizedText.stderr).toBe('foreman: UNAUTHENTICATED: Unknown or revoked api key\n');
    expect(unauthorized.stderr + unauthorizedText.stderr).not.toContain(badKey);

    const [missing, missingText] = await Promise.all([
      system.cli(['status', 'no-such-task', '--json']),
      system.cli(['cancel', 'no-such-task']),
    ]);
    expect(missing.code).toBe(4);
    expect(missing.error().code).toBe('TASK_NOT_FOUND');
    expect(missingText.code).toBe(4);
    expect(missingText.stderr).toMatch(/^foreman: TASK_NOT_FOUND: /);

    const [invalid, invalidText, unknownTask] = await Promise.all([
      system.cli(['submit', 'file.checksum_file', '--payload', '{"path":5}', '--json']),
      system.cli(['submit', 'file.checksum_file', '--payload', '{"path":5}']),
      system.cli(['submit', 'no.such_task', '--json']),
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.error()).toEqual(
      expect.objectContaining({
        code: 'PAYLOAD_INVALID',
        details: [expect.objectContaining({ path: 'path' })],
      }),
    );
    expect(invalidText.stderr).toMatch(/^foreman: PAYLOAD_INVALID: .*\n {2}- path: /);
    expect(unknownTask.code).toBe(4);
    expect(unknownTask.error().code).toBe('TASK_UNKNOWN');

    const usage = await Promise.all([
      system.cli(['submit', 'maintenance.health_check', '--payload', '{not json', '--json']),
      system.cli(['submit', 'maintenance.health_check', '--payload', '[1]']),
      system.cli(['list', '--limit', '500']),
      system.cli(['list', '--since', 'yesterday']),
      system.cli(['status']),
      system.cli(['frobnicate']),
      system.cli(['list', '--no-such-flag']),
    ]);
    for (const run of usage) {
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
      expect(run.stderr).not.toBe('');
    }
    expect(usage[0]?.error()).toEqual(expect.objectContaining({ code: 'USAGE' }));
    expect(usage[1]?.stderr).toContain('must be a JSON object');
    expect(usage[5]?.stderr).toContain("unknown command 'frobnicate'");

    const [unreachable, noKey] = await Promise.all([
      system.cli(['list', '--url', 'http://127.0.0.1:9', '--json']),
      system.cli(['list'], { env: { FOREMAN_API_KEY: '' } }),
    ]);
    expect(unreachable.code).toBe(5);
    expect(unreachable.error().code).toBe('API_UNREACHABLE');
    expect(noKey.code).toBe(3);
    expect(noKey.stderr).toContain('API_KEY_MISSING');
  });
});
