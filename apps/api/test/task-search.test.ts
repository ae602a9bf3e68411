import { type NewTaskRecord, tasks } from '@foreman/db';
import { startTestApi, type TestApi } from './test-api.js';

interface Page {
  tasks: Array<{ id: string; userId: string | null }>;
  nextCursor: string | null;
}

/** Issue 18, search: free text and payload filters on `GET /tasks`, scoped and paged as any list. */
describe('task search', () => {
  let api: TestApi;
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
  const row = (id: string, userId: string, minute: number, more: Partial<NewTaskRecord>): NewTaskRecord => ({
    id,
    name: 'email.send',
    queue: 'email',
    userId,
    status: 'completed',
    createdAt: at(minute),
    ...more,
  });

  beforeAll(async () => {
    api = await startTestApi('api_task_search');
    await api.testDb.database.db.insert(tasks).values([
      row('s-alice-invoice', 'alice', 1, {
        payload: { to: 'ann@example.com', subject: 'Invoice March', user: { id: 42 } },
        result: { messageId: 'mid-1' },
      }),
      row('s-alice-welcome', 'alice', 2, {
        payload: { to: 'bo@example.com', subject: 'Welcome aboard', user: { id: '42' } },
      }),
      row('s-alice-failed', 'alice', 3, {
        name: 'sync.fetch_url',
        queue: 'sync',
        status: 'failed',
        payload: { url: 'https://example.org/' },
        error: 'Connection refused by upstream',
      }),
      row('s-alice-list', 'alice', 4, { payload: { to: ['ann@example.com'], subject: 'Digest' } }),
      row('s-bob-invoice', 'bob', 5, {
        payload: { to: 'ann@example.com', subject: 'Invoice April', user: { id: 42 } },
      }),
    ]);
  });
  afterAll(() => api.close());

  const list = async (key: string, query: string) => {
    const response = await api.call(key, `/tasks?${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as Page;
  };
  const ids = async (key: string, query: string) => (await list(key, query)).tasks.map((task) => task.id);

  it('finds words of the payload, result, error, name and id, only among the key’s own tasks', async () => {
    expect(await ids(api.aliceKey, 'q=invoice')).toEqual(['s-alice-invoice']);
    // An address is one word: found whole, not by its domain.
    expect(await ids(api.aliceKey, 'q=bo@example.com')).toEqual(['s-alice-welcome']);
    expect(await ids(api.aliceKey, 'q=mid-1')).toEqual(['s-alice-invoice']);
    expect(await ids(api.aliceKey, 'q=refused upstream')).toEqual(['s-alice-failed']);
    expect(await ids(api.aliceKey, 'q=sync.fetch_url')).toEqual(['s-alice-failed']);
    expect(await ids(api.aliceKey, 'q=s-alice-welcome')).toEqual(['s-alice-welcome']);
    expect(await ids(api.aliceKey, 'q=invoice -march')).toEqual([]);
    expect(await ids(api.aliceKey, `q=${encodeURIComponent('"welcome aboard"')}`)).toEqual([
      's-alice-welcome',
    ]);
    // Bob's invoice matches too, but is never shown to alice, even when she names it.
    expect(await ids(api.aliceKey, 'q=april')).toEqual([]);
    expect(await ids(api.aliceKey, 'q=s-bob-invoice')).toEqual([]);
    expect(await ids(api.adminKey, 'q=invoice')).toEqual(['s-bob-invoice', 's-alice-invoice']);
    expect(await ids(api.adminKey, 'q=invoice&userId=bob')).toEqual(['s-bob-invoice']);
  });

  it('narrows by the user lexeme of the index, which no search text can match', async () => {
    // A key's search asks the index for its user's rows; what the words say is unchanged.
    expect(await ids(api.aliceKey, 'q=-invoice')).toEqual([
      's-alice-list',
      's-alice-failed',
      's-alice-welcome',
    ]);
    expect(await ids(api.bobKey, 'q=invoice')).toEqual(['s-bob-invoice']);
    // A query without words matches nothing, not every task of the user.
    expect(await ids(api.aliceKey, 'q=-')).toEqual([]);
    expect(await ids(api.aliceKey, `q=${encodeURIComponent('!')}&error=-`)).toEqual([]);
    for (const words of ['user alice', '"user alice"']) {
      expect(await ids(api.adminKey, `q=${encodeURIComponent(words)}`)).toEqual([]);
      expect(await ids(api.aliceKey, `q=${encodeURIComponent(words)}`)).toEqual([]);
    }
  });

  it('filters on payload fields by containment, combined with the other filters', async () => {
    expect(await ids(api.aliceKey, 'payload.to=ann@example.com')).toEqual(['s-alice-invoice']);
    // A query string cannot say number or string: both match.
    expect(await ids(api.aliceKey, 'payload.user.id=42')).toEqual(['s-alice-welcome', 's-alice-invoice']);
    expect(await ids(api.aliceKey, 'payload.user.id=42&payload.subject=Welcome aboard')).toEqual([
      's-alice-welcome',
    ]);
    expect(await ids(api.aliceKey, 'payload.user.id=42&q=march')).toEqual(['s-alice-invoice']);
    expect(await ids(api.aliceKey, 'payload.url=https://example.org/&status=failed')).toEqual([
      's-alice-failed',
    ]);
    expect(await ids(api.aliceKey, 'payload.url=https://example.org/&status=completed')).toEqual([]);
    expect(await ids(api.aliceKey, 'payload.user=42')).toEqual([]);
    // Words of the error only: "invoice" is in payloads, never in an error.
    expect(await ids(api.aliceKey, 'error=refused')).toEqual(['s-alice-failed']);
    expect(await ids(api.aliceKey, 'error=invoice')).toEqual([]);
    expect(await ids(api.aliceKey, 'error=refused&q=example.org')).toEqual(['s-alice-failed']);
    expect(await ids(api.aliceKey, 'error=refused&q=invoice')).toEqual([]);
    expect(await ids(api.adminKey, 'payload.to=ann@example.com')).toEqual([
      's-bob-invoice',
      's-alice-invoice',
    ]);
    expect(await ids(api.bobKey, 'payload.user.id=42')).toEqual(['s-bob-invoice']);
  });

  it('pages a search with the cursor', async () => {
    const first = await list(api.adminKey, 'q=email.send&limit=2');
    expect(first.tasks.map((task) => task.id)).toEqual(['s-bob-invoice', 's-alice-list']);
    const second = await list(api.adminKey, `q=email.send&limit=2&cursor=${first.nextCursor}`);
    expect(second.tasks.map((task) => task.id)).toEqual(['s-alice-welcome', 's-alice-invoice']);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses a filter it does not know with 400 naming it', async () => {
    for (const [query, path] of [
      ['payload..to=x', 'payload..to'],
      ['payload=x', 'payload'],
      ['payload.a b=x', 'payload.a b'],
      ['payload.a.b.c.d.e.f.g.h.i=x', 'payload.a.b.c.d.e.f.g.h.i'],
      ['color=red', 'color'],
    ]) {
      const response = await api.call(api.aliceKey, `/tasks?${query}`);
      expect({ query, status: response.status, body: await response.json() }).toMatchObject({
        query,
        status: 400,
        body: { error: { code: 'QUERY_INVALID', details: [{ path }] } },
      });
    }
    const preset = await api.call(api.aliceKey, '/tasks/pending?status=failed');
    expect(preset.status).toBe(400);
    expect(await preset.json()).toMatchObject({ error: { details: [{ path: 'status' }] } });
  });

  // Last: it stops the projector.
  it('searches tasks whose rows have not landed as it searches the table', async () => {
    await api.projector.close();
    const submit = async (key: string, url: string) => {
      const response = await api.call(key, '/tasks/sync.fetch_url', {
        method: 'POST',
        body: JSON.stringify({ url }),
      });
      expect(response.status).toBe(202);
      return ((await response.json()) as { taskId: string }).taskId;
    };
    const alices = await submit(api.aliceKey, 'https://unlanded.example.net/a');
    const bobs = await submit(api.bobKey, 'https://unlanded.example.net/b');
    expect(await ids(api.aliceKey, 'q=unlanded.example.net')).toEqual([alices]);
    expect(await ids(api.aliceKey, 'q=unlanded.example.net -sync.fetch_url')).toEqual([]);
    expect(await ids(api.aliceKey, 'payload.url=https://unlanded.example.net/a')).toEqual([alices]);
    expect(await ids(api.aliceKey, 'payload.url=https://unlanded.example.net/b')).toEqual([]);
    expect(await ids(api.aliceKey, 'q=unlanded.example.net&error=refused')).toEqual([]);
    expect(await ids(api.adminKey, 'q=unlanded.example.net')).toEqual(expect.arrayContaining([alices, bobs]));
  });
});
