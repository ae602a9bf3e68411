import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times: 100 on Linux for every architecture it runs on. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) a process has used so far, in ms, read from /proc so that it works for
 * a worker in any language; undefined once the process is gone. 10 ms resolution.
 */
export function readCpuMs(pid: number, withReapedChildren = false): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number) as [
      number,
      number,
      number,
      number,
    ];
    const ticks = utime + stime + (withReapedChildren ? cutime + cstime : 0);
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * CPU time, in ms, of every process whose command name is `command` (all of PostgreSQL's), with
 * the time of the children they reaped: a backend that exits between two readings leaves the sum
 * of live processes, and its time would otherwise drop out and can turn a difference negative. Its
 * parent (the postmaster) counts it from then on.
 */
export function readCommandCpuMs(command: string): number {
  return sumCpuMs(true, (pid) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === command;
  });
}

/** CPU time, in ms, of every process whose command line holds `part`. */
export function readCommandLineCpuMs(part: string): number {
  return sumCpuMs(false, (pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(part));
}

function sumCpuMs(withReapedChildren: boolean, matches: (pid: string) => boolean): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!matches(entry)) continue;
    } catch {
      continue;
    }
    total += readCpuMs(Number(entry), withReapedChildren) ?? 0;
  }
  return total;
}

/** What the command line of our bench's record projector process holds (its bundled entry). */
export const PROJECTOR_ENTRY = 'foreman-projector.mjs';

/**
 * The CPU spent from this reading on outside the worker: the contender's redis-server, every
 * PostgreSQL process, our record projector process, and this bench process (the client that
 * submits). On two shared cores their time is what a worker's figures leave out.
 */
export class ServerCpu {
  private constructor(
    private readonly redisPid: number | undefined,
    private readonly redisMs: number,
    private readonly postgresMs: number,
    private readonly clientMs: number,
    private readonly projectorMs: number,
  ) {}

  static read(redisPid: number | undefined): ServerCpu {
    const redisMs = redisPid === undefined ? 0 : (readCpuMs(redisPid) ?? 0);
    return new ServerCpu(
      redisPid,
      redisMs,
      readCommandCpuMs('postgres'),
      readCpuMs(process.pid) ?? 0,
      readCommandLineCpuMs(PROJECTOR_ENTRY),
    );
  }

  /** Microseconds per task since the reading. */
  perTask(tasks: number): { redisUs: number; postgresUs: number; clientUs: number; projectorUs: number } {
    const now = ServerCpu.read(this.redisPid);
    const per = (ms: number) => (ms * 1000) / Math.max(1, tasks);
    return {
      redisUs: per(now.redisMs - this.redisMs),
      postgresUs: per(now.postgresMs - this.postgresMs),
      clientUs: per(now.clientMs - this.clientMs),
      projectorUs: per(now.projectorMs - this.projectorMs),
    };
  }
}
