import { TaskError } from '../errors/task-error.js';
import type { RedisConnection } from '../redis/create-redis.js';

/**
 * How a flow key is computed from a (validated) payload: a typed function of it, or a dotted path
 * into it (`'mailboxId'`, `'account.id'`) whose value is a string or a number.
 */
export type FlowKey<Payload = unknown> = ((payload: Payload) => string) | string;

/** Submits with the same key within `windowMs` of each other collapse into one run. */
export interface DebounceOptions<Payload = unknown> {
  key: FlowKey<Payload>;
  /** Quiet time after the latest submit before the run starts. */
  windowMs: number;
  /**
   * Longest a run waits after the first submit it collapsed, however often submits keep coming.
   * @defaultValue no bound: the run waits for `windowMs` of quiet
   */
  maxWaitMs?: number | undefined;
}

/** At most one queued-or-running task per key. */
export interface SingletonOptions<Payload = unknown> {
  key: FlowKey<Payload>;
  /**
   * `return`: a second submit gets the task that holds the key (`deduplicated: true`).
   * `replace`: a holder still waiting is cancelled and this submit takes its place; a running
   * holder is returned as with `return`.
   * @defaultValue 'return'
   */
  mode?: 'return' | 'replace' | undefined;
}

/** A token bucket: `count` starts per `intervalMs`, up to `burst` at once after a quiet spell. */
export interface FlowRate {
  count: number;
  intervalMs: number;
  /** @defaultValue 1 */
  burst?: number | undefined;
}

/**
 * Keyed admission (see docs/flow-control.md): tasks whose key has the same value share a
 * concurrency limit, a throttle and push-back pauses, across every worker replica.
 */
export interface FlowOptions<Payload = unknown> {
  key: FlowKey<Payload>;
  /**
   * Tasks of several contracts with the same scope and key value share one group (e.g. every AI
   * task on one provider).
   * @defaultValue the task's name
   */
  scope?: string | undefined;
  /** @defaultValue no limit */
  concurrency?: number | undefined;
  /** @defaultValue no throttle */
  rate?: FlowRate | undefined;
}

/** What a keyed task's job carries: its admission group and the group's limits. */
export interface FlowGroup {
  /** `<scope>:<key value>`. */
  group: string;
  concurrency?: number | undefined;
  rate?: FlowRate | undefined;
}

const SCOPE = /^[a-z][a-z0-9_.-]*$/;

/** Throws SUBMIT_OPTIONS_INVALID when flow options are malformed. */
export function checkFlow(options: FlowOptions, taskName: string): void {
  const refuse = (message: string) => new TaskError('SUBMIT_OPTIONS_INVALID', message, { taskName });
  const positive = (value: unknown) => Number.isInteger(value) && (value as number) > 0;
  const { key, scope, concurrency, rate } = options;
  if (key === undefined) throw refuse('flow needs a key');
  if (scope !== undefined && !(typeof scope === 'string' && SCOPE.test(scope))) {
    throw refuse('flow.scope must be lower-case letters, digits, ".", "_" or "-"');
  }
  if (concurrency !== undefined && !positive(concurrency)) {
    throw refuse('flow.concurrency must be a positive whole number');
  }
  if (
    rate !== undefined &&
    !(
      rate &&
      positive(rate.count) &&
      positive(rate.intervalMs) &&
      (rate.burst === undefined || positive(rate.burst))
    )
  ) {
    throw refuse('flow.rate needs positive whole numbers count and intervalMs (and burst, if given)');
  }
}

/** The admission group of a keyed task and its limits. */
export function flowGroupOf(options: FlowOptions, payload: unknown, taskName: string): FlowGroup {
  checkFlow(options, taskName);
  const value = flowKeyValue('flow', options.key, payload, taskName);
  return {
    group: `${options.scope ?? taskName}:${value}`,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.rate === undefined ? {} : { rate: options.rate }),
  };
}

/** The longest a flow key value may be once computed. */
const MAX_KEY_LENGTH = 200;

/** The key's value for a payload; a SUBMIT_OPTIONS_INVALID TaskError when there is none. */
export function flowKeyValue(
  what: 'debounce' | 'singleton' | 'flow',
  key: FlowKey,
  payload: unknown,
  taskName: string,
): string {
  const invalid = (message: string) =>
    new TaskError('SUBMIT_OPTIONS_INVALID', `${what}.key ${message}`, { taskName });
  let value: unknown;
  if (typeof key === 'function') value = key(payload);
  else if (typeof key === 'string' && key.length > 0) {
    value = payload;
    for (const part of key.split('.')) {
      value =
        value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    }
  } else throw invalid('must be a function of the payload or a path into it');
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_KEY_LENGTH) {
    throw invalid(`must give a string or number of 1 to ${MAX_KEY_LENGTH} characters (got ${String(value)})`);
  }
  return value;
}

export function checkDebounce(options: DebounceOptions, taskName: string): void {
  const positive = (value: number | undefined) =>
    value === undefined || (Number.isInteger(value) && value > 0);
  if (!positive(options.windowMs) || options.windowMs === undefined || !positive(options.maxWaitMs)) {
    throw new TaskError(
      'SUBMIT_OPTIONS_INVALID',
      'debounce windowMs and maxWaitMs must be positive whole numbers',
      {
        taskName,
      },
    );
  }
  if (options.maxWaitMs !== undefined && options.maxWaitMs < options.windowMs) {
    throw new TaskError('SUBMIT_OPTIONS_INVALID', 'debounce maxWaitMs must be at least windowMs', {
      taskName,
    });
  }
}

/**
 * KEYS: debounce state, the queue's delayed set. ARGV: job key prefix (`<prefix>:<queue>:`), new
 * task id, now, windowMs, maxWaitMs (0: none), job data JSON, pendingMs.
 * The state (`<taskId> <firstAt>`) names the run that submits collapse into while its job is
 * delayed: the job's data is replaced and its start pushed back, never past firstAt + maxWaitMs.
 * Returns {'collapsed', taskId}, {'pending', taskId} (its submitter is adding the job: ask again)
 * or {'new', taskId, delayMs} (the caller adds that job).
 */
const DEBOUNCE = `
local state = redis.call('GET', KEYS[1])
local now = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local maxWait = tonumber(ARGV[5])
if state then
  local sep = string.find(state, ' ')
  local taskId = string.sub(state, 1, sep - 1)
  local firstAt = tonumber(string.sub(state, sep + 1))
  local jobKey = ARGV[1] .. taskId
  if redis.call('ZSCORE', KEYS[2], taskId) then
    local due = now + window
    if maxWait > 0 and firstAt + maxWait < due then due = firstAt + maxWait end
    local timestamp = tonumber(redis.call('HGET', jobKey, 'timestamp')) or firstAt
    redis.call('HSET', jobKey, 'data', ARGV[6], 'delay', math.max(0, due - timestamp))
    redis.call('ZADD', KEYS[2], due * 4096, taskId)
    redis.call('PEXPIRE', KEYS[1], due - now + tonumber(ARGV[7]))
    return {'collapsed', taskId}
  end
  if redis.call('EXISTS', jobKey) == 0 and now - firstAt < tonumber(ARGV[7]) then
    return {'pending', taskId}
  end
end
local delay = window
if maxWait > 0 and maxWait < delay then delay = maxWait end
redis.call('SET', KEYS[1], ARGV[2] .. ' ' .. ARGV[3], 'PX', delay + tonumber(ARGV[7]))
return {'new', ARGV[2], tostring(delay)}`;

/**
 * KEYS: singleton key. ARGV: job key prefix, new task id, now, pendingMs, ttlMs.
 * The key holds `<taskId> <claimedAt>`. Its holder is alive while its job exists and has not
 * finished (BullMQ sets finishedOn when it completes or fails), or while its submitter may still
 * be adding the job (pendingMs). A job removed (cancelled while waiting) or finished, or a
 * submitter that died before adding it, frees the key: nothing can leave it locked.
 * Returns {'held', taskId, state} or {'claimed', taskId}.
 */
const SINGLETON = `
local held = redis.call('GET', KEYS[1])
if held then
  local sep = string.find(held, ' ')
  local taskId = string.sub(held, 1, sep - 1)
  local jobKey = ARGV[1] .. taskId
  if redis.call('EXISTS', jobKey) == 1 then
    if redis.call('HEXISTS', jobKey, 'finishedOn') == 0 then return {'held', taskId} end
  elseif tonumber(ARGV[3]) - tonumber(string.sub(held, sep + 1)) < tonumber(ARGV[4]) then
    return {'held', taskId}
  end
end
redis.call('SET', KEYS[1], ARGV[2] .. ' ' .. ARGV[3], 'PX', ARGV[5])
return {'claimed', ARGV[2]}`;

/** KEYS: singleton key. ARGV: task id, or with a second argument the holder to replace and its replacement. */
const SINGLETON_RELEASE = `
local held = redis.call('GET', KEYS[1])
if not held or string.sub(held, 1, #ARGV[1] + 1) ~= ARGV[1] .. ' ' then return 0 end
if ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[2] .. ' ' .. ARGV[3], 'KEEPTTL')
  return 1
end
return redis.call('DEL', KEYS[1])`;

export type DebounceOutcome =
  | { kind: 'collapsed'; taskId: string }
  | { kind: 'new'; taskId: string; delayMs: number };

export interface FlowControlOptions {
  connection: RedisConnection;
  prefix: string;
  /**
   * How long a key claimed by a submit counts as held before its job exists (a submitter that dies
   * in between frees it after this long).
   * @defaultValue 10_000
   */
  pendingMs?: number;
  /**
   * Upper bound on how long a singleton key lives, as a last resort against leaks; a key is freed
   * by its task's end long before.
   * @defaultValue 7 days
   */
  singletonTtlMs?: number;
}

/**
 * The Redis side of debounce and singleton submits: each decision is one script, so concurrent
 * submits from any number of api replicas agree.
 */
export class FlowControl {
  private readonly pendingMs: number;
  private readonly singletonTtlMs: number;

  constructor(private readonly options: FlowControlOptions) {
    this.pendingMs = options.pendingMs ?? 10_000;
    this.singletonTtlMs = options.singletonTtlMs ?? 7 * 24 * 3_600_000;
  }

  debounceKey(taskName: string, userId: string | undefined, key: string): string {
    return `${this.options.prefix}:debounce:${taskName}:${userId ?? '-'}:${key}`;
  }

  singletonKey(taskName: string, userId: string | undefined, key: string): string {
    return `${this.options.prefix}:singleton:${taskName}:${userId ?? '-'}:${key}`;
  }

  /**
   * Collapses this submit into the delayed run of `stateKey` (its job data replaced by `data`),
   * or tells the caller to add a new job with `taskId` and the returned delay.
   */
  async debounce(
    queue: string,
    stateKey: string,
    taskId: string,
    data: unknown,
    options: DebounceOptions,
  ): Promise<DebounceOutcome> {
    const deadline = Date.now() + this.pendingMs * 2;
    for (;;) {
      const [kind, holder, delay] = (await this.options.connection.eval(
        DEBOUNCE,
        2,
        stateKey,
        `${this.options.prefix}:${queue}:delayed`,
        `${this.options.prefix}:${queue}:`,
        taskId,
        Date.now(),
        options.windowMs,
        options.maxWaitMs ?? 0,
        JSON.stringify(data),
        this.pendingMs,
      )) as [string, string, string?];
      if (kind === 'collapsed') return { kind, taskId: holder };
      if (kind === 'new') return { kind, taskId: holder, delayMs: Number(delay) };
      if (Date.now() > deadline) {
        throw new TaskError('SUBMIT_FAILED', 'the debounced run this submit joins was never queued', {
          taskId: holder,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Claims `key` for `taskId`; the id of the live task that holds it instead, if any. */
  async claimSingleton(queue: string, key: string, taskId: string): Promise<string | undefined> {
    const [kind, holder] = (await this.options.connection.eval(
      SINGLETON,
      1,
      key,
      `${this.options.prefix}:${queue}:`,
      taskId,
      Date.now(),
      this.pendingMs,
      this.singletonTtlMs,
    )) as [string, string];
    return kind === 'held' ? holder : undefined;
  }

  /** Hands `key` from `holder` to `taskId`; false when `holder` no longer has it. */
  async replaceSingleton(key: string, holder: string, taskId: string): Promise<boolean> {
    return (await this.options.connection.eval(SINGLETON_RELEASE, 1, key, holder, taskId, Date.now())) === 1;
  }

  /** Frees `key` if `taskId` still holds it (its task ended, or its submit failed). */
  async releaseSingleton(key: string, taskId: string): Promise<void> {
    await this.options.connection.eval(SINGLETON_RELEASE, 1, key, taskId);
  }
}
