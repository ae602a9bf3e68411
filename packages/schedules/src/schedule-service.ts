import type { RedisConnection } from '@foreman/core';
import {
  type ScheduleDeclaration,
  type SubmittedTask,
  type TaskClient,
  type TaskContract,
  validatePayload,
  validateTiming,
} from '@foreman/core';
import type { Db, NewScheduleRecord, ScheduleRecord } from '@foreman/db';
import type { Logger } from '@foreman/logger';
import { DeclaredScheduleError } from './errors/declared-schedule-error.js';
import { ScheduleExistsError } from './errors/schedule-exists-error.js';
import { ScheduleNotFoundError } from './errors/schedule-not-found-error.js';
import { JobSchedulers } from './job-schedulers.js';
import {
  type CreateScheduleInput,
  createScheduleInput,
  parseInput,
  type UpdateScheduleInput,
  updateScheduleInput,
} from './schedule-input.js';
import { ScheduleStore } from './schedule-store.js';

/** A schedule as callers see it: its row plus when it fires next (null while paused). */
export interface ScheduleView extends ScheduleRecord {
  nextRunAt: Date | null;
}

export interface ScheduleServiceOptions {
  db: Db;
  /** Knows the contracts (through its registry) and submits "run now" tasks. */
  client: TaskClient;
  connection: RedisConnection;
  /** Redis key prefix of every queue. */
  prefix: string;
  logger?: Logger | undefined;
}

export interface SyncReport {
  applied: string[];
  removed: string[];
}

/**
 * Schedules kept in PostgreSQL and mirrored as BullMQ job schedulers: the table is the truth,
 * Redis fires. Every change goes to the table first, then to its job scheduler; `sync` heals
 * any drift between the two.
 */
export class ScheduleService {
  private readonly store: ScheduleStore;
  private readonly schedulers: JobSchedulers;

  constructor(private readonly options: ScheduleServiceOptions) {
    this.store = new ScheduleStore(options.db);
    this.schedulers = new JobSchedulers({ connection: options.connection, prefix: options.prefix });
  }

  async list(): Promise<ScheduleView[]> {
    const rows = await this.store.list();
    const next = new Map<string, number | undefined>();
    for (const queue of new Set(rows.filter((row) => row.enabled).map((row) => row.queue))) {
      for (const scheduler of await this.schedulers.list(queue))
        next.set(`${queue}/${scheduler.key}`, scheduler.next);
    }
    return rows.map((row) => view(row, next.get(`${row.queue}/${row.id}`)));
  }

  async get(id: string): Promise<ScheduleView> {
    const row = await this.require(id);
    const scheduler = row.enabled ? await this.schedulers.get(row.queue, id) : undefined;
    return view(row, scheduler?.next);
  }

  async create(input: CreateScheduleInput): Promise<ScheduleView> {
    const parsed = parseInput(createScheduleInput, input);
    const contract = this.options.client.registry.get(parsed.task);
    const payload = validatePayload(contract, parsed.payload);
    const timing = {
      cron: parsed.cron ?? null,
      timezone: parsed.timezone ?? 'UTC',
      everyMs: parsed.everyMs ?? null,
    };
    validateTiming(parsed.id, timing);
    const row = await this.store.insert({
      id: parsed.id,
      taskName: contract.name,
      queue: contract.queue,
      payload,
      ...timing,
      description: parsed.description ?? '',
      enabled: parsed.enabled ?? true,
      source: 'user',
    });
    if (!row) throw new ScheduleExistsError(parsed.id);
    try {
      if (row.enabled) await this.schedulers.apply(row, contract);
    } catch (error) {
      await this.store.delete(row.id);
      throw error;
    }
    return this.get(row.id);
  }

  async update(id: string, input: UpdateScheduleInput): Promise<ScheduleView> {
    const patch = parseInput(updateScheduleInput, input);
    const current = await this.require(id);
    const contract = this.options.client.registry.get(patch.task ?? current.taskName);
    const payload = validatePayload(contract, patch.payload ?? current.payload);
    const switchesTiming = patch.cron != null || patch.everyMs != null;
    const timing = {
      cron: switchesTiming ? (patch.cron ?? null) : current.cron,
      timezone: patch.timezone ?? current.timezone,
      everyMs: switchesTiming ? (patch.everyMs ?? null) : current.everyMs,
    };
    validateTiming(id, timing);
    const updated = await this.store.update(id, {
      taskName: contract.name,
      queue: contract.queue,
      payload,
      ...timing,
      description: patch.description ?? current.description,
      enabled: patch.enabled ?? current.enabled,
      editedAt: new Date(),
    });
    if (!updated) throw new ScheduleNotFoundError(id);
    try {
      await this.mirror(updated, contract, current.queue);
    } catch (error) {
      // Put the row back so the table never describes a schedule Redis does not run.
      const { createdAt: _created, updatedAt: _updated, ...previous } = current;
      await this.store.update(id, previous);
      throw error;
    }
    return this.get(id);
  }

  pause(id: string): Promise<ScheduleView> {
    return this.update(id, { enabled: false });
  }

  resume(id: string): Promise<ScheduleView> {
    return this.update(id, { enabled: true });
  }

  async delete(id: string): Promise<void> {
    const row = await this.require(id);
    if (row.source === 'declared') throw new DeclaredScheduleError(id);
    await this.schedulers.remove(row.queue, id);
    await this.store.delete(id);
  }

  /** Submits the schedule's task once, now, without touching its timing. */
  async runNow(id: string): Promise<SubmittedTask> {
    const row = await this.require(id);
    return this.options.client.submit(row.taskName, row.payload);
  }

  /**
   * What beat does when it starts: seeds the declared defaults (keeping runtime edits), then
   * brings every job scheduler in line with the table.
   */
  async reconcile(declarations: readonly ScheduleDeclaration[]): Promise<SyncReport> {
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
      };
    });
    await this.store.seedDeclared(rows);
    return this.sync();
  }

  /**
   * Makes Redis match the table: applies enabled schedules whose job scheduler is missing or
   * stale, removes job schedulers of paused or deleted schedules. Unchanged ones are left alone,
   * so a sync never moves a pending occurrence.
   */
  async sync(): Promise<SyncReport> {
    const rows = await this.store.list();
    const report: SyncReport = { applied: [], removed: [] };
    const queues = new Set([...this.options.client.registry.queues(), ...rows.map((row) => row.queue)]);
    for (const queue of queues) {
      const existing = new Map(
        (await this.schedulers.list(queue)).map((scheduler) => [scheduler.key, scheduler]),
      );
      for (const row of rows.filter((candidate) => candidate.queue === queue && candidate.enabled)) {
        const scheduler = existing.get(row.id);
        existing.delete(row.id);
        if (scheduler && JobSchedulers.matches(scheduler, row)) continue;
        const contract = this.contract(row);
        if (!contract) continue;
        await this.schedulers.apply(row, contract);
        report.applied.push(row.id);
      }
      for (const stale of existing.keys()) {
        await this.schedulers.remove(queue, stale);
        report.removed.push(stale);
      }
    }
    if (report.applied.length > 0 || report.removed.length > 0) {
      this.options.logger?.info(report, 'job schedulers brought in line with the schedules table');
    }
    return report;
  }

  close(): Promise<void> {
    return this.schedulers.close();
  }

  private async mirror(row: ScheduleRecord, contract: TaskContract, previousQueue: string): Promise<void> {
    if (previousQueue !== row.queue || !row.enabled) await this.schedulers.remove(previousQueue, row.id);
    if (row.enabled) await this.schedulers.apply(row, contract);
  }

  private contract(row: ScheduleRecord): TaskContract | undefined {
    if (this.options.client.registry.has(row.taskName)) return this.options.client.registry.get(row.taskName);
    this.options.logger?.warn(
      { scheduleId: row.id, taskName: row.taskName },
      'schedule names an unknown task; not fired',
    );
    return undefined;
  }

  private async require(id: string): Promise<ScheduleRecord> {
    const row = await this.store.get(id);
    if (!row) throw new ScheduleNotFoundError(id);
    return row;
  }
}

function view(row: ScheduleRecord, next: number | undefined): ScheduleView {
  return { ...row, nextRunAt: row.enabled && next !== undefined ? new Date(next) : null };
}
