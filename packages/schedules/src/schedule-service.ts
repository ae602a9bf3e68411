import { createHash } from 'node:crypto';
import {
  nextOccurrence,
  type OccurrenceTiming,
  SCHEDULE_POLICY_DEFAULTS,
  type ScheduleDeclaration,
  type SubmittedTask,
  type Submitter,
  SYSTEM_SUBMITTER,
  type TaskClient,
  validatePayload,
  validateTiming,
} from '@foreman/core';
import type { Db, NewScheduleRecord, ScheduleRecord } from '@foreman/db';
import type { Logger } from '@foreman/logger';
import { DeclaredScheduleError } from './errors/declared-schedule-error.js';
import { ScheduleAmbiguousError } from './errors/schedule-ambiguous-error.js';
import { ScheduleExistsError } from './errors/schedule-exists-error.js';
import { ScheduleLimitError } from './errors/schedule-limit-error.js';
import { ScheduleNotFoundError } from './errors/schedule-not-found-error.js';
import {
  type CreateScheduleInput,
  createScheduleInput,
  parseInput,
  type UpdateScheduleInput,
  updateScheduleInput,
} from './schedule-input.js';
import { ScheduleStore } from './schedule-store.js';

/**
 * A schedule as callers see it: its row, with its next run (null while paused) and its last run,
 * and its id as its owner gave it.
 */
export type ScheduleView = ScheduleRecord;

/**
 * Ids are per user: a user's schedule is stored under `<id>~<tag of its owner>` ("~" is not allowed
 * in ids, so no id a user gives can meet another's key), so two users may both have "nightly" and
 * creating one says nothing of the other's. Declared schedules, which belong to no user, and rows
 * stored before ids were per user keep their bare id.
 */
export const scheduleKey = (id: string, owner: string) =>
  `${id}~${createHash('sha256').update(owner).digest('hex').slice(0, 12)}`;
const OWNER_TAG = /~[0-9a-f]{12}$/;
const toView = (row: ScheduleRecord): ScheduleView =>
  row.ownerUserId === null ? row : { ...row, id: row.id.replace(OWNER_TAG, '') };

/**
 * Whose schedules a caller sees: one user's (`userId`), or every schedule (userId undefined:
 * admin keys, beat). Another user's schedule answers SCHEDULE_NOT_FOUND, like a missing one.
 */
export interface ScheduleScope {
  userId?: string | undefined;
  /**
   * Who creates, changes or runs the schedule: their rights decide whether it may run its task
   * (TASK_FORBIDDEN) and whether the schedule limits apply (not to admins and the system).
   * @defaultValue SYSTEM_SUBMITTER
   */
  submitter?: Submitter | undefined;
}

/** Limits on the schedules of users without an admin key. */
export interface ScheduleLimits {
  /** Schedules one user may own. @defaultValue 100 */
  maxPerUser?: number;
  /** Shortest time between two runs of a user's schedule. @defaultValue 60000 */
  minIntervalMs?: number;
}

export const SCHEDULE_LIMIT_DEFAULTS = { maxPerUser: 100, minIntervalMs: 60_000 } as const;
/** How many occurrences of a cron are looked at to find its shortest gap. */
const GAPS_CHECKED = 100;

export interface ScheduleServiceOptions {
  db: Db;
  /** Knows the contracts (through its registry) and submits "run now" tasks. */
  client: TaskClient;
  logger?: Logger | undefined;
  limits?: ScheduleLimits | undefined;
}

/**
 * Schedules kept in PostgreSQL, fired by beat (`ScheduleRunner`) from the same rows: every change
 * here is what beat sees on its next tick. A change of timing, or a resume, starts the schedule
 * afresh from now (occurrences while paused are not missed ones).
 */
export class ScheduleService {
  private readonly store: ScheduleStore;
  private readonly limits: Required<ScheduleLimits>;

  constructor(private readonly options: ScheduleServiceOptions) {
    this.store = new ScheduleStore(options.db);
    this.limits = { ...SCHEDULE_LIMIT_DEFAULTS, ...options.limits };
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isInteger(value) || value < 1) {
        throw new TypeError(`ScheduleService: limits.${name} must be a whole number of at least 1`);
      }
    }
  }

  async list(scope: ScheduleScope = {}): Promise<ScheduleView[]> {
    return (await this.store.list(scope.userId)).map(toView);
  }

  async get(id: string, scope: ScheduleScope = {}): Promise<ScheduleView> {
    return toView(await this.require(id, scope));
  }

  /** Creates a user schedule, owned by `scope.userId` (its runs are that user's tasks). */
  async create(input: CreateScheduleInput, scope: ScheduleScope = {}): Promise<ScheduleView> {
    const parsed = parseInput(createScheduleInput, input);
    const contract = this.options.client.registry.get(parsed.task);
    const payload = validatePayload(contract, parsed.payload);
    const timing = {
      cron: parsed.cron ?? null,
      timezone: parsed.timezone ?? 'UTC',
      everyMs: parsed.everyMs ?? null,
    };
    validateTiming(parsed.id, timing);
    const submitter = scope.submitter ?? SYSTEM_SUBMITTER;
    await this.options.client.authorize(contract.name, payload, submitter, scope.userId);
    await this.checkLimits(parsed.id, timing, submitter, scope.userId);
    const enabled = parsed.enabled ?? true;
    const row = await this.store.insert({
      id: scope.userId === undefined ? parsed.id : scheduleKey(parsed.id, scope.userId),
      taskName: contract.name,
      queue: contract.queue,
      payload,
      ...timing,
      description: parsed.description ?? '',
      enabled,
      source: 'user',
      ownerUserId: scope.userId ?? null,
      overlapPolicy: parsed.overlapPolicy ?? SCHEDULE_POLICY_DEFAULTS.overlapPolicy,
      misfirePolicy: parsed.misfirePolicy ?? SCHEDULE_POLICY_DEFAULTS.misfirePolicy,
      misfireCap: parsed.misfireCap ?? SCHEDULE_POLICY_DEFAULTS.misfireCap,
      nextRunAt: enabled ? firstRun(timing) : null,
    });
    // Only the caller's own schedule of that id (or, unscoped, a declared one) can be in the way.
    if (!row) throw new ScheduleExistsError(parsed.id);
    return toView(row);
  }

  async update(id: string, input: UpdateScheduleInput, scope: ScheduleScope = {}): Promise<ScheduleView> {
    const patch = parseInput(updateScheduleInput, input);
    const current = await this.require(id, scope);
    const contract = this.options.client.registry.get(patch.task ?? current.taskName);
    const payload = validatePayload(contract, patch.payload ?? current.payload);
    const switchesTiming = patch.cron != null || patch.everyMs != null;
    const timing = {
      cron: switchesTiming ? (patch.cron ?? null) : current.cron,
      timezone: patch.timezone ?? current.timezone,
      everyMs: switchesTiming ? (patch.everyMs ?? null) : current.everyMs,
    };
    validateTiming(id, timing);
    const submitter = scope.submitter ?? SYSTEM_SUBMITTER;
    await this.options.client.authorize(contract.name, payload, submitter, current.ownerUserId ?? undefined);
    if (switchesTiming) await this.checkInterval(id, timing, submitter);
    const enabled = patch.enabled ?? current.enabled;
    const retimed =
      timing.cron !== current.cron ||
      timing.everyMs !== current.everyMs ||
      timing.timezone !== current.timezone ||
      enabled !== current.enabled;
    const updated = await this.store.update(current.id, {
      taskName: contract.name,
      queue: contract.queue,
      payload,
      ...timing,
      description: patch.description ?? current.description,
      enabled,
      overlapPolicy: patch.overlapPolicy ?? current.overlapPolicy,
      misfirePolicy: patch.misfirePolicy ?? current.misfirePolicy,
      misfireCap: patch.misfireCap ?? current.misfireCap,
      ...(retimed
        ? { nextRunAt: enabled ? firstRun(timing) : null, queuedRunAt: enabled ? current.queuedRunAt : null }
        : {}),
      editedAt: new Date(),
    });
    if (!updated) throw new ScheduleNotFoundError(id);
    return toView(updated);
  }

  pause(id: string, scope: ScheduleScope = {}): Promise<ScheduleView> {
    return this.update(id, { enabled: false }, scope);
  }

  resume(id: string, scope: ScheduleScope = {}): Promise<ScheduleView> {
    return this.update(id, { enabled: true }, scope);
  }

  async delete(id: string, scope: ScheduleScope = {}): Promise<void> {
    const row = await this.require(id, scope);
    if (row.source === 'declared') throw new DeclaredScheduleError(id);
    await this.store.delete(row.id);
  }

  /** Submits the schedule's task once, now, as its owner, without touching its timing. */
  async runNow(id: string, scope: ScheduleScope = {}): Promise<SubmittedTask> {
    const row = await this.require(id, scope);
    return this.options.client.submit(row.taskName, row.payload, {
      userId: row.ownerUserId ?? undefined,
      submitter: scope.submitter ?? SYSTEM_SUBMITTER,
    });
  }

  /**
   * What beat does when it starts: seeds the declared defaults, keeping runtime edits. A declared
   * schedule that kept its timing keeps its next run, so occurrences missed while beat was down
   * meet their misfire policy on the first tick.
   */
  async reconcile(declarations: readonly ScheduleDeclaration[]): Promise<void> {
    const rows: NewScheduleRecord[] = declarations.map((declaration) => {
      validateTiming(declaration.id, declaration);
      return {
        id: declaration.id,
        taskName: declaration.task.name,
        queue: declaration.task.queue,
        payload: validatePayload(declaration.task, declaration.payload),
        cron: declaration.cron ?? null,
        timezone: declaration.timezone ?? 'UTC',
        everyMs: declaration.everyMs ?? null,
        description: declaration.description ?? '',
        source: 'declared',
        overlapPolicy: declaration.overlapPolicy ?? SCHEDULE_POLICY_DEFAULTS.overlapPolicy,
        misfirePolicy: declaration.misfirePolicy ?? SCHEDULE_POLICY_DEFAULTS.misfirePolicy,
        misfireCap: declaration.misfireCap ?? SCHEDULE_POLICY_DEFAULTS.misfireCap,
      };
    });
    await this.store.seedDeclared(rows, (row) => firstRun(row as OccurrenceTiming));
    this.options.logger?.info({ declared: rows.map((row) => row.id) }, 'declared schedules seeded');
  }

  /** A user's schedules: at most `maxPerUser`, runs at least `minIntervalMs` apart. */
  private async checkLimits(
    id: string,
    timing: Timing,
    submitter: Submitter,
    owner: string | undefined,
  ): Promise<void> {
    if (submitter.kind === 'system' || submitter.admin || owner === undefined) return;
    await this.checkInterval(id, timing, submitter);
    const owned = await this.store.countOwned(owner);
    if (owned >= this.limits.maxPerUser) {
      throw new ScheduleLimitError(
        id,
        'SCHEDULE_LIMIT_EXCEEDED',
        `user "${owner}" already has ${owned} schedules, the most one user may have (${this.limits.maxPerUser})`,
      );
    }
  }

  private async checkInterval(id: string, timing: Timing, submitter: Submitter): Promise<void> {
    if (submitter.kind === 'system' || submitter.admin) return;
    const gapMs = shortestGap(timing);
    if (gapMs < this.limits.minIntervalMs) {
      throw new ScheduleLimitError(
        id,
        'SCHEDULE_TOO_FREQUENT',
        `it would run every ${gapMs / 1000} s; a user's schedule runs at most every ${this.limits.minIntervalMs / 1000} s`,
      );
    }
  }

  /** The stored row a caller means by `id`: its own schedule, or for an unscoped caller anyone's. */
  private async require(id: string, scope: ScheduleScope): Promise<ScheduleRecord> {
    if (scope.userId !== undefined) {
      const row = (await this.store.get(scheduleKey(id, scope.userId))) ?? (await this.store.get(id));
      if (!row || row.ownerUserId !== scope.userId) throw new ScheduleNotFoundError(id);
      return row;
    }
    const rows = await this.store.withId(id);
    const exact = rows.find((row) => row.id === id);
    if (exact) return exact;
    if (rows.length > 1) {
      throw new ScheduleAmbiguousError(
        id,
        rows.map((row) => row.ownerUserId ?? '(declared)'),
      );
    }
    if (!rows[0]) throw new ScheduleNotFoundError(id);
    return rows[0];
  }
}

/** The interval, or for a cron the shortest gap between its next occurrences. */
function shortestGap(timing: Timing): number {
  if (timing.everyMs != null) return timing.everyMs;
  const occurrence = timing as OccurrenceTiming;
  let previous = nextOccurrence(occurrence, Date.now());
  let shortest = Number.POSITIVE_INFINITY;
  for (let checked = 0; checked < GAPS_CHECKED; checked++) {
    const next = nextOccurrence(occurrence, previous);
    shortest = Math.min(shortest, next - previous);
    previous = next;
  }
  return shortest;
}

type Timing = { cron?: string | null; timezone?: string | null; everyMs?: number | null };

function firstRun(timing: Timing): Date {
  return new Date(nextOccurrence(timing as OccurrenceTiming, Date.now()));
}
