import type { Job } from 'bullmq';
import { TaskError } from '../errors/task-error.js';
import { appendingAfter, type TaskEventPublisher } from '../events/task-event-publisher.js';
import type { RedisConnection } from '../redis/create-redis.js';

type Entries = Parameters<TaskEventPublisher['trailingArgs']>[0];
type Arg = string | number | Buffer;
type Send = (args: Arg[]) => Promise<unknown>;

/** What `Job.addJob` is given to send its add script on: it calls only `runCommand`. */
type JobClient = Parameters<Job['addJob']>[0];

/** A script as ioredis keeps it once defined on a connection (BullMQ defines its own there). */
interface DefinedScript {
  lua?: unknown;
  numberOfKeys?: unknown;
}

/** One job's add script call, as BullMQ's `Job.addJob` makes it: the script's name, keys, then arguments. */
interface AddCall {
  name: string;
  args: Array<string | Buffer>;
}

/**
 * Runs, for each job in ARGV, one of the add scripts `bodies` with that job's KEYS and ARGV, as a
 * call of its own would (KEYS and ARGV are emptied and refilled in place: a script may not assign
 * globals). ARGV: the count of shapes, each shape (script number, offset of its keys in KEYS, key
 * count, argument count), then each job as its shape number and its arguments. An error code (a
 * negative number) from a script ends the call with it; the jobs added before it stay (a script
 * cannot undo them), but BullMQ answers one only for a job with a parent, which a submit never has.
 */
function addEach(bodies: string[]): string {
  return `local foremanAdds = {
${bodies.map((lua) => `function()\n${lua}\nend`).join(',\n')}
}
local foremanJobKeys = {}
for i = 1, #KEYS do foremanJobKeys[i] = KEYS[i] end
local foremanJobArgs = {}
for i = 1, #ARGV do foremanJobArgs[i] = ARGV[i] end
local foremanShapes = {}
for s = 1, tonumber(foremanJobArgs[1]) do
  local at = 2 + (s - 1) * 4
  foremanShapes[s] = { tonumber(foremanJobArgs[at]), tonumber(foremanJobArgs[at + 1]),
    tonumber(foremanJobArgs[at + 2]), tonumber(foremanJobArgs[at + 3]) }
end
local foremanAdded = 0
local i = 2 + #foremanShapes * 4
while i <= #foremanJobArgs do
  local shape = foremanShapes[tonumber(foremanJobArgs[i])]
  local offset, keyCount, argCount = shape[2], shape[3], shape[4]
  for j = #KEYS, 1, -1 do KEYS[j] = nil end
  for j = 1, keyCount do KEYS[j] = foremanJobKeys[offset + j] end
  for j = #ARGV, 1, -1 do ARGV[j] = nil end
  for j = 1, argCount do ARGV[j] = foremanJobArgs[i + j] end
  local answer = foremanAdds[shape[1]]()
  if type(answer) == 'number' and answer < 0 then return answer end
  foremanAdded = foremanAdded + 1
  i = i + 1 + argCount
end
return foremanAdded`;
}

/**
 * Adds BullMQ jobs and their `submitted` entries in one script call: BullMQ's own add scripts, run
 * one job after the other, then the entries appended (`appendingAfter`), so they land together or
 * not at all (Redis runs a script whole, and only once it has all of it). One command, as
 * `Queue.add` is for one job: a MULTI of a command per job cost the client a Command object, a
 * promise and a reply each. A lone job's script is wrapped alone, without the loop.
 */
export class JobsWithEntries {
  constructor(
    private readonly connection: RedisConnection,
    private readonly events: TaskEventPublisher,
  ) {}

  /**
   * Adds `jobs` (of queues on this connection) and appends `entries` after them. Throws BullMQ's
   * error when a job's script answers an error code (then no entry is appended).
   */
  async add(jobs: Job[], entries: Entries): Promise<void> {
    const calls: AddCall[] = [];
    let answer!: (reply: unknown) => void;
    let fail!: (error: unknown) => void;
    const reply = new Promise((resolve, reject) => {
      answer = resolve;
      fail = reject;
    });
    // BullMQ builds a job's call and hands it to `runCommand` before its first await, then
    // checks the answer: each job gets the call's (a job id or count, or an error code).
    const client = {
      runCommand: (name: string, args: Array<string | Buffer>) => {
        calls.push({ name, args });
        return reply;
      },
    } as unknown as JobClient;
    const added = jobs.map((job) => job.addJob(client));
    const tail = this.events.trailingArgs(entries);
    const [only] = calls;
    if (calls.length === 1 && only) this.sendOne(only, tail).then(answer, fail);
    else this.sendAll(calls, tail).then(answer, fail);
    await Promise.all(added);
  }

  /** A lone job: its script wrapped to append the entries, the stream key behind the script's keys. */
  private sendOne({ name, args }: AddCall, tail: Arg[]): Promise<unknown> {
    const { lua, numberOfKeys } = this.script(name);
    const command = this.define(`foreman:${name}`, () => appendingAfter(lua));
    const send = (this.connection as unknown as Record<string, Send>)[command] as Send;
    const all: Arg[] = [numberOfKeys + 1];
    for (let i = 0; i < numberOfKeys; i += 1) all.push(args[i] as string | Buffer);
    all.push(this.events.streamKey);
    for (let i = numberOfKeys; i < args.length; i += 1) all.push(args[i] as string | Buffer);
    for (const arg of tail) all.push(arg);
    return send.call(this.connection, all);
  }

  /** Several jobs: each one's script in turn (`addEach`), then the entries appended. */
  private sendAll(calls: AddCall[], tail: Arg[]): Promise<unknown> {
    const names = [...new Set(calls.map((call) => call.name))];
    const numberOfKeys = names.map((name) => this.script(name).numberOfKeys);
    const keys: Arg[] = [];
    const shapes: Arg[] = [];
    const jobArgs: Arg[] = [];
    // The jobs of a queue share their keys and argument count: each such shape goes once.
    const shapeNumbers = new Map<string, number>();
    for (const { name, args } of calls) {
      const script = names.indexOf(name);
      const keyCount = numberOfKeys[script] as number;
      const id = `${name}\n${String(args[0])}\n${args.length}`;
      let shape = shapeNumbers.get(id);
      if (shape === undefined) {
        shape = shapeNumbers.size + 1;
        shapeNumbers.set(id, shape);
        shapes.push(script + 1, keys.length, keyCount, args.length - keyCount);
        for (let i = 0; i < keyCount; i += 1) keys.push(args[i] as string | Buffer);
      }
      jobArgs.push(shape);
      for (let i = keyCount; i < args.length; i += 1) jobArgs.push(args[i] as string | Buffer);
    }
    // Named by the scripts, whose names carry BullMQ's version.
    const command = this.define(`foreman:add:${names.join('+')}`, () =>
      appendingAfter(addEach(names.map((name) => this.script(name).lua))),
    );
    const send = (this.connection as unknown as Record<string, Send>)[command] as Send;
    // One array, not spread arguments: a bulk's thousands of them would overflow the stack.
    const all: Arg[] = [keys.length + 1];
    for (const key of keys) all.push(key);
    all.push(this.events.streamKey, shapeNumbers.size);
    for (const arg of shapes) all.push(arg);
    for (const arg of jobArgs) all.push(arg);
    for (const arg of tail) all.push(arg);
    return send.call(this.connection, all);
  }

  /** BullMQ's script `name`, as its queue defined it on the connection. */
  private script(name: string): { lua: string; numberOfKeys: number } {
    const scripts = (this.connection as unknown as { scriptsSet?: Record<string, DefinedScript> }).scriptsSet;
    const script = scripts?.[name];
    if (typeof script?.lua !== 'string' || typeof script.numberOfKeys !== 'number') {
      throw new TaskError('SUBMIT_FAILED', `BullMQ's script ${name} is not defined on the connection`, {});
    }
    return { lua: script.lua, numberOfKeys: script.numberOfKeys };
  }

  /** Defines `command` on the connection the first time (its script from `lua`). */
  private define(command: string, lua: () => string): string {
    if (!(command in this.connection)) this.connection.defineCommand(command, { lua: lua() });
    return command;
  }
}
