import { PRIORITY_LIMIT } from 'bullmq';
import { z } from 'zod';
import {
  checkDebounce,
  checkFlow,
  type DebounceOptions,
  type FlowOptions,
  type SingletonOptions,
} from '../client/flow-control.js';
import type { DataOwner } from './data-owner.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';

const TASK_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
const QUEUE_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * What callers need to know about a task: its name, where it runs, what it takes and returns.
 * Contracts hold no handler code, so the api and beat import them without any worker's code.
 */
export interface TaskContract<
  Name extends string = string,
  Payload extends z.ZodType = z.ZodType,
  Result extends z.ZodType = z.ZodType,
> {
  readonly name: Name;
  readonly queue: string;
  readonly description: string;
  readonly payload: Payload;
  readonly result: Result;
  /** BullMQ semantics: 0 is plain FIFO, 1 the most urgent, larger numbers less urgent. */
  readonly priority: number;
  readonly retry: RetryPolicy;
  /** Hard time limit of one attempt: past it the attempt fails and its worker slot is freed. */
  readonly timeoutMs: number;
  /** Soft time limit: past it the handler's signal is aborted so it can stop and clean up. */
  readonly softTimeoutMs: number | undefined;
  /** Who may submit it: `system` tasks only admins and the system (declared schedules, workers). */
  readonly audience: TaskAudience;
  /** Whose data a payload acts on; a non-admin user may submit only payloads on their own. */
  ownedBy?(payload: z.output<Payload>): DataOwner | undefined;
  /** Default debounce of its submits (a submit's own `debounce` replaces it). */
  readonly debounce?: DebounceOptions<z.output<Payload>> | undefined;
  /** Default singleton key of its submits (a submit's own `singleton` replaces it). */
  readonly singleton?: SingletonOptions<z.output<Payload>> | undefined;
  /** Default flow key and limits of its submits (a submit's own `flow` replaces it). */
  readonly flow?: FlowOptions<z.output<Payload>> | undefined;
}

/**
 * `user`: any key may submit it, on its own user's data (see `ownedBy`). `system`: it acts on the
 * whole deployment (retention, clean-ups, batch runs over every user), so only admin keys, declared
 * schedules and the system's own submitters may.
 */
export type TaskAudience = 'user' | 'system';

export interface TaskContractSpec<Name extends string, Payload extends z.ZodType, Result extends z.ZodType> {
  name: Name;
  queue: string;
  description?: string;
  payload: Payload;
  result?: Result;
  priority?: number;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  softTimeoutMs?: number;
  /** @defaultValue 'user' */
  audience?: TaskAudience;
  /**
   * Of `user` tasks whose payload names a user or a user's row: that owner (undefined: no one's
   * data). Without it, any user may submit any payload.
   */
  ownedBy?: (payload: z.output<Payload>) => DataOwner | undefined;
  /** Submits with the same key collapse into one run (see docs/flow-control.md). */
  debounce?: DebounceOptions<z.output<Payload>>;
  /** At most one queued-or-running task per key (see docs/flow-control.md). */
  singleton?: SingletonOptions<z.output<Payload>>;
  /**
   * Keyed concurrency, throttle and push-back pauses (see docs/flow-control.md); its queue then
   * goes through admission.
   */
  flow?: FlowOptions<z.output<Payload>>;
}

export const DEFAULT_TIMEOUT_MS = 5 * 60_000;
/** BullMQ's own bound (2^21 - 1): a higher priority is refused by Queue.add with a plain Error. */
export const MAX_PRIORITY: number = PRIORITY_LIMIT;

export function defineTask<
  Name extends string,
  Payload extends z.ZodType,
  Result extends z.ZodType = z.ZodUnknown,
>(spec: TaskContractSpec<Name, Payload, Result>): TaskContract<Name, Payload, Result> {
  if (!TASK_NAME.test(spec.name)) {
    throw new TypeError(`Task name "${spec.name}" must be lower-case words joined by "." or "_"`);
  }
  if (!QUEUE_NAME.test(spec.queue)) {
    throw new TypeError(
      `Queue name "${spec.queue}" of task "${spec.name}" must be lower-case words joined by "-"`,
    );
  }
  const retry = { ...DEFAULT_RETRY_POLICY, ...spec.retry };
  if (!Number.isInteger(retry.attempts) || retry.attempts < 1) {
    throw new TypeError(`Task "${spec.name}": retry.attempts must be a whole number of at least 1`);
  }
  if (retry.jitter < 0 || retry.jitter > 1)
    throw new TypeError(`Task "${spec.name}": retry.jitter must be in 0..1`);
  const priority = spec.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) {
    throw new TypeError(`Task "${spec.name}": priority must be a whole number from 0 to ${MAX_PRIORITY}`);
  }
  const timeoutMs = spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new TypeError(`Task "${spec.name}": timeoutMs must be positive`);
  const { softTimeoutMs } = spec;
  if (softTimeoutMs !== undefined && !(softTimeoutMs > 0 && softTimeoutMs < timeoutMs)) {
    throw new TypeError(`Task "${spec.name}": softTimeoutMs must be positive and below timeoutMs`);
  }
  if (spec.debounce) checkDebounce(spec.debounce as DebounceOptions, spec.name);
  if (spec.flow) checkFlow(spec.flow as FlowOptions, spec.name);
  const audience = spec.audience ?? 'user';
  if (audience !== 'user' && audience !== 'system') {
    throw new TypeError(`Task "${spec.name}": audience must be "user" or "system"`);
  }
  if (audience === 'system' && spec.ownedBy) {
    throw new TypeError(`Task "${spec.name}": a system task acts for no user, so it takes no ownedBy`);
  }
  return Object.freeze({
    name: spec.name,
    queue: spec.queue,
    description: spec.description ?? '',
    payload: spec.payload,
    result: spec.result ?? (z.unknown() as unknown as Result),
    priority,
    retry,
    timeoutMs,
    softTimeoutMs,
    audience,
    ownedBy: spec.ownedBy,
    debounce: spec.debounce,
    singleton: spec.singleton,
    flow: spec.flow,
  });
}

export type PayloadOf<C extends TaskContract> = z.output<C['payload']>;
export type PayloadInputOf<C extends TaskContract> = z.input<C['payload']>;
export type ResultOf<C extends TaskContract> = z.output<C['result']>;
