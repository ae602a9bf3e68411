import type { Job } from 'bullmq';
import { TaskError } from '../errors/task-error.js';
import { appendingAfter, type TaskEventPublisher } from '../events/task-event-publisher.js';
import type { RedisConnection } from '../redis/create-redis.js';

/** What `Job.addJob` is given to send its add script on: it calls only `runCommand`. */
export type JobClient = Parameters<Job['addJob']>[0];

type Entries = Parameters<TaskEventPublisher['trailingArgs']>[0];
type Send = (...args: Array<string | number | Buffer>) => Promise<unknown>;

/** A script as ioredis keeps it once defined on a connection (BullMQ defines its own there). */
interface DefinedScript {
  lua?: unknown;
  numberOfKeys?: unknown;
}

/**
 * Adds a BullMQ job and its `submitted` entries in one script call: BullMQ's own add script,
 * wrapped (`appendingAfter`) to append the entries once the job is in, so the two land together
 * or not at all. A lone submit is then one command, as `Queue.add` is: in a MULTI (an ioredis
 * pipeline, whose construction alone copies every script of the connection, BullMQ's sixty-odd)
 * it cost more than twice the CPU.
 */
export class JobsWithEntries {
  /** The wrapped scripts' command names and key counts, by the name BullMQ runs. */
  private readonly wrapped = new Map<string, { command: string; keys: number }>();

  constructor(
    private readonly connection: RedisConnection,
    private readonly events: TaskEventPublisher,
  ) {}

  /** A client for `Job.addJob` that sends the job's add script with `entries` appended in the same call. */
  client(entries: Entries): JobClient {
    const runCommand = (name: string, args: Array<string | Buffer>) => {
      const { command, keys } = this.wrapped.get(name) ?? this.wrap(name);
      const send = (this.connection as unknown as Record<string, Send>)[command] as Send;
      return send.call(
        this.connection,
        keys + 1,
        ...args.slice(0, keys),
        this.events.streamKey,
        ...args.slice(keys),
        ...this.events.trailingArgs(entries),
      );
    };
    return { runCommand } as unknown as JobClient;
  }

  /** Defines the wrapped version of BullMQ's script `name` (defined on the connection by its queue). */
  private wrap(name: string): { command: string; keys: number } {
    const scripts = (this.connection as unknown as { scriptsSet?: Record<string, DefinedScript> }).scriptsSet;
    const script = scripts?.[name];
    if (typeof script?.lua !== 'string' || typeof script.numberOfKeys !== 'number') {
      throw new TaskError('SUBMIT_FAILED', `BullMQ's script ${name} is not defined on the connection`, {});
    }
    const wrapped = { command: `foreman:${name}`, keys: script.numberOfKeys };
    this.connection.defineCommand(wrapped.command, { lua: appendingAfter(script.lua) });
    this.wrapped.set(name, wrapped);
    return wrapped;
  }
}
