/** Deterministic pseudo-random numbers (mulberry32), so two runs load the same history. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const WORDS =
  'invoice reminder welcome report weekly monthly quarterly order shipped refund receipt password reset digest alert backup calendar meeting notes export import sync failed timeout account upgrade trial renewal survey'.split(
    ' ',
  );
/** Share of each task type in the history, roughly as a mail-heavy deployment sees it. */
const MIX = [
  { name: 'email.send_email', queue: 'email', share: 0.45 },
  { name: 'sync.fetch_url', queue: 'sync', share: 0.25 },
  { name: 'sync.sync_calendar_events', queue: 'sync', share: 0.1 },
  { name: 'file.checksum_file', queue: 'file', share: 0.1 },
  { name: 'maintenance.health_check', queue: 'maintenance', share: 0.1 },
];
const STATUSES = [
  { status: 'completed', share: 0.9 },
  { status: 'failed', share: 0.05 },
  { status: 'cancelled', share: 0.02 },
  { status: 'pending', share: 0.03 },
];

export interface SyntheticOptions {
  /** Distinct users; a few heavy ones submit most (squared skew). */
  users: number;
  /** The newest task's time; older ones spread over `spanDays` before it. */
  newest: Date;
  spanDays: number;
  seed: number;
}

/** What one synthetic task carries that the searches look for. */
export interface SyntheticTask {
  id: string;
  name: string;
  queue: string;
  userId: string;
  status: string;
  payload: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: string | null;
  createdAt: Date;
}

/** Task records as a busy deployment accumulates them: newest first, names, users and payloads mixed. */
export function* syntheticTasks(count: number, options: SyntheticOptions): Generator<SyntheticTask> {
  const random = seededRandom(options.seed);
  const pick = <T extends { share: number }>(choices: readonly T[]): T => {
    let roll = random();
    for (const choice of choices) {
      roll -= choice.share;
      if (roll < 0) return choice;
    }
    return choices[choices.length - 1] as T;
  };
  const word = () => WORDS[Math.floor(random() * WORDS.length)] as string;
  const stepMs = (options.spanDays * 86_400_000) / Math.max(1, count);
  for (let index = 0; index < count; index++) {
    const { name, queue } = pick(MIX);
    const { status } = pick(STATUSES);
    const user = Math.floor(random() ** 2 * options.users);
    const payload = payloadFor(name, user, random, word);
    yield {
      id: uuidFrom(random),
      name,
      queue,
      userId: `user-${user}`,
      status,
      payload,
      result:
        status === 'completed'
          ? { ok: true, note: `${word()} ${word()}`, ms: Math.floor(random() * 900) }
          : null,
      error:
        status === 'failed'
          ? `${word()} ${word()}: connection refused after ${1 + Math.floor(random() * 30)}s`
          : null,
      createdAt: new Date(options.newest.getTime() - index * stepMs),
    };
  }
}

function payloadFor(
  name: string,
  user: number,
  random: () => number,
  word: () => string,
): Record<string, unknown> {
  switch (name) {
    case 'email.send_email':
      return {
        to: `contact${Math.floor(random() * 5_000)}@customer${user}.example`,
        subject: `${word()} ${word()} ${word()}`,
        account: { id: user, plan: random() < 0.2 ? 'pro' : 'free' },
      };
    case 'sync.fetch_url':
      return { url: `https://site${Math.floor(random() * 2_000)}.example/${word()}` };
    case 'sync.sync_calendar_events':
      return { feedId: Math.floor(random() * 10_000) };
    case 'file.checksum_file':
      return { path: `/data/${word()}/${Math.floor(random() * 100_000)}.bin`, algorithm: 'sha256' };
    default:
      return {};
  }
}

const uuidFrom = (random: () => number): string => {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
};

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const copyField = (value: string | null): string =>
  value === null ? '\\N' : value.replace(/[\\\t\n\r]/g, (char) => COPY_ESCAPES[char] as string);

/** The columns `copyLine` fills, in its order. */
export const COPY_COLUMNS =
  'id, name, queue, user_id, status, payload, result, error, attempts, created_at, started_at, completed_at, duration_ms, version, updated_at';

/** One task as a line of COPY's text format. */
export function copyLine(task: SyntheticTask): string {
  const ended = task.status === 'pending' ? null : new Date(task.createdAt.getTime() + 1_500).toISOString();
  return `${[
    task.id,
    task.name,
    task.queue,
    task.userId,
    task.status,
    JSON.stringify(task.payload),
    task.result === null ? null : JSON.stringify(task.result),
    task.error,
    task.status === 'pending' ? '0' : '1',
    task.createdAt.toISOString(),
    ended === null ? null : new Date(task.createdAt.getTime() + 20).toISOString(),
    ended,
    ended === null ? null : '1480',
    task.status === 'pending' ? '1' : '3',
    ended ?? task.createdAt.toISOString(),
  ]
    .map(copyField)
    .join('\t')}\n`;
}
