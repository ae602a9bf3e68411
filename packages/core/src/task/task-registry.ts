import { z } from 'zod';
import { DuplicateTaskError } from '../errors/duplicate-task-error.js';
import { UnknownTaskError } from '../errors/unknown-task-error.js';
import type { TaskAudience, TaskContract } from './define-task.js';

export interface TaskTypeDescription {
  name: string;
  queue: string;
  description: string;
  priority: number;
  timeoutMs: number;
  maxAttempts: number;
  /** `system`: admin keys and schedules only. */
  audience: TaskAudience;
  payloadSchema: unknown;
}

/** Every known task contract by name; the single source of routing (task name -> queue). */
export class TaskRegistry {
  private readonly contracts = new Map<string, TaskContract>();
  private readonly keyed = new Set<string>();

  constructor(contracts: Iterable<TaskContract> = []) {
    for (const contract of contracts) this.register(contract);
  }

  register(contract: TaskContract): this {
    if (this.contracts.has(contract.name)) throw new DuplicateTaskError(contract.name);
    this.contracts.set(contract.name, contract);
    if (contract.flow) this.keyed.add(contract.queue);
    return this;
  }

  /** Whether a task routed to `queue` declares a flow key (the queue then goes through admission). */
  hasFlowKeys(queue: string): boolean {
    return this.keyed.has(queue);
  }

  /** Queues with a task that declares a flow key. */
  keyedQueues(): string[] {
    return [...this.keyed].sort();
  }

  has(name: string): boolean {
    return this.contracts.has(name);
  }

  get(name: string): TaskContract {
    const contract = this.contracts.get(name);
    if (!contract) throw new UnknownTaskError(name);
    return contract;
  }

  /** The queue a task is routed to. */
  route(name: string): string {
    return this.get(name).queue;
  }

  list(): TaskContract[] {
    return [...this.contracts.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  queues(): string[] {
    return [...new Set(this.list().map((contract) => contract.queue))].sort();
  }

  describe(): TaskTypeDescription[] {
    return this.list().map((contract) => ({
      name: contract.name,
      queue: contract.queue,
      description: contract.description,
      priority: contract.priority,
      timeoutMs: contract.timeoutMs,
      maxAttempts: contract.retry.attempts,
      audience: contract.audience,
      payloadSchema: z.toJSONSchema(contract.payload, { io: 'input', unrepresentable: 'any' }),
    }));
  }
}
