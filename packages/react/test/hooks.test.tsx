import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type ApiClient, createApiClient, unwrap } from '@foreman/api-client';
import { tcpProxy } from '@foreman/core/testing';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import {
  ForemanProvider,
  type TaskEventFilter,
  type TaskEventsOptions,
  type TaskEventsState,
  TaskProgress,
  useTaskEvents,
  useTaskStatus,
} from '../src/index.js';

/** What `sync.fetch_url` returns (the contract's result type). */
interface FetchResult {
  status: number;
  bytes: number;
}

function Events(props: {
  filter: TaskEventFilter;
  options: TaskEventsOptions;
  onState: (state: TaskEventsState) => void;
}) {
  const state = useTaskEvents(props.filter, props.options);
  props.onState(state);
  return (
    <ol>
      {state.events.map((event) => (
        <li key={event.id}>{event.type}</li>
      ))}
    </ol>
  );
}

function Status({ id, token }: { id: string; token: string }) {
  const { task, error } = useTaskStatus(id, { token });
  return <p>{error ? `refused ${error.code}` : (task?.status ?? 'loading')}</p>;
}

const SYSTEM = fileURLToPath(new URL('./system.ts', import.meta.url));

describe('@foreman/react against a running api and worker', () => {
  let system: ChildProcessWithoutNullStreams;
  const systemErrors: string[] = [];
  let baseUrl: string;
  let alice: ApiClient;
  beforeAll(async () => {
    system = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', SYSTEM], {
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    // Read, or a full pipe would stop the system's process; shown if a test fails.
    system.stderr.on('data', (chunk: Buffer) => {
      systemErrors.push(chunk.toString());
      if (systemErrors.length > 100) systemErrors.shift();
    });
    const [line] = (await once(createInterface({ input: system.stdout }), 'line')) as [string];
    const started = JSON.parse(line) as { baseUrl: string; adminKey: string };
    baseUrl = started.baseUrl;
    const admin = createApiClient({ baseUrl, token: started.adminKey });
    const { key } = await unwrap(admin.POST('/keys', { body: { userId: 'alice' } }));
    alice = createApiClient({ baseUrl, token: key });
  }, 90_000);
  afterEach(() => {
    cleanup();
    if (systemErrors.length > 0) {
      console.error(`system stderr:\n${systemErrors.join('').slice(-4_000)}`);
    }
    systemErrors.length = 0;
  });
  afterAll(async () => {
    system.stdin.end();
    await once(system, 'exit');
  }, 60_000);

  const release = () => system.stdin.write('release\n');
  /** A `sync.fetch_url` task of alice's, and a read token for it alone (as a page would get one). */
  const submitWithToken = async () => {
    const { taskId } = await unwrap(
      alice.POST('/tasks/{name}', {
        params: { path: { name: 'sync.fetch_url' } },
        body: { url: 'https://example.org/' },
      }),
    );
    const { token } = await unwrap(alice.POST('/tasks/{id}/token', { params: { path: { id: taskId } } }));
    return { taskId, token };
  };
  const progressBar = () => screen.getByRole('progressbar') as HTMLProgressElement;

  it('<TaskProgress> shows progress live, then completion with the typed result', async () => {
    const { taskId, token } = await submitWithToken();
    render(
      <ForemanProvider baseUrl={baseUrl}>
        <TaskProgress<FetchResult> taskId={taskId} token={token}>
          {(task) => (task.result ? <output>fetched {task.result.bytes} bytes</output> : null)}
        </TaskProgress>
      </ForemanProvider>,
    );
    await screen.findByText('waiting for release', undefined, { timeout: 25_000 });
    expect(screen.getByText('running')).toBeTruthy();
    expect(progressBar().value).toBe(40);
    act(() => {
      release();
    });
    await screen.findByText('fetched 5 bytes', undefined, { timeout: 25_000 });
    expect(screen.getByText('completed')).toBeTruthy();
    expect(progressBar().value).toBe(100);
  });

  it('useTaskEvents streams one task’s events in order and resumes after a given event', async () => {
    const { taskId, token } = await submitWithToken();
    const seen: TaskEventsState[] = [];
    // From the start of the stream: what happened before the page opened is replayed.
    const { unmount } = render(
      <ForemanProvider baseUrl={baseUrl} token={token}>
        <Events filter={{ taskId }} options={{ lastEventId: '0-0' }} onState={(state) => seen.push(state)} />
      </ForemanProvider>,
    );
    await screen.findByText('progress', undefined, { timeout: 25_000 });
    act(() => {
      release();
    });
    await screen.findByText('completed', undefined, { timeout: 25_000 });
    const events = seen.at(-1)!.events;
    expect(events.map((event) => event.type)).toEqual(['submitted', 'started', 'progress', 'completed']);
    expect(events.every((event) => event.taskId === taskId)).toBe(true);
    expect(events[2]).toMatchObject({ percent: 40, message: 'waiting for release' });
    unmount();

    // Resumed after `started`: only what came later.
    const afterStarted = events[1]!.id;
    render(
      <ForemanProvider baseUrl={baseUrl} token={token}>
        <Events
          filter={{ taskId }}
          options={{ lastEventId: afterStarted }}
          onState={(state) => seen.push(state)}
        />
      </ForemanProvider>,
    );
    await screen.findByText('completed', undefined, { timeout: 25_000 });
    expect(seen.at(-1)!.events.map((event) => event.type)).toEqual(['progress', 'completed']);
  });

  it('useTaskEvents reconnects after a dropped connection and gets what it missed (Last-Event-ID)', async () => {
    const proxy = await tcpProxy(Number(new URL(baseUrl).port));
    try {
      const { taskId, token } = await submitWithToken();
      const seen: TaskEventsState[] = [];
      render(
        <ForemanProvider baseUrl={proxy.url} token={token}>
          <Events
            filter={{ taskId }}
            options={{ lastEventId: '0-0' }}
            onState={(state) => seen.push(state)}
          />
        </ForemanProvider>,
      );
      await screen.findByText('progress', undefined, { timeout: 25_000 });
      // Cut the connection; the task ends while the page cannot get back.
      act(() => proxy.dropConnections());
      await waitFor(() => expect(seen.at(-1)!.connected).toBe(false), { timeout: 25_000 });
      act(() => {
        release();
      });
      await waitFor(
        async () => {
          const record = await unwrap(alice.GET('/tasks/{id}', { params: { path: { id: taskId } } }));
          expect(record.status).toBe('completed');
        },
        { timeout: 25_000 },
      );
      expect(screen.queryByText('completed')).toBeNull();
      act(() => proxy.release());
      await screen.findByText('completed', undefined, { timeout: 25_000 });
      expect(seen.at(-1)!.events.map((event) => event.type)).toEqual([
        'submitted',
        'started',
        'progress',
        'completed',
      ]);
      expect(seen.at(-1)!.connected).toBe(true);
      expect(proxy.connections()).toBeGreaterThanOrEqual(2);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it("a task's read token reads nothing else: the hook reports the refusal", async () => {
    const { token } = await submitWithToken();
    const other = await submitWithToken();
    render(
      <ForemanProvider baseUrl={baseUrl}>
        <Status id={other.taskId} token={token} />
      </ForemanProvider>,
    );
    await screen.findByText('refused STREAM_REFUSED', undefined, { timeout: 25_000 });
  });
});
