import type { Logger } from '@foreman/logger';
import { taskEventsStream } from '../events/channels.js';
import type { RedisConnection } from '../redis/create-redis.js';
import { checkWholeNumbers } from '../util/check-options.js';
import { RECORDS_GROUP, readRecordsGroup, toMap, unstoredIn } from './record-projector.js';

export interface ProjectionWatchOptions {
  connection: RedisConnection;
  /** Redis key prefix of the deployment: the stream is `<prefix>:task-events:log`. */
  prefix: string;
  logger: Logger;
  /**
   * How often the stream's projectors are checked.
   * @defaultValue {@link PROJECTION_WATCH_DEFAULTS}.everyMs
   */
  everyMs?: number;
  /**
   * Unstored entries with no projector reading for this long mean nobody stores the records.
   * @defaultValue {@link PROJECTION_WATCH_DEFAULTS}.idleMs
   */
  idleMs?: number;
}

/** What one check found. */
export type ProjectionState =
  | { kind: 'stored' }
  | { kind: 'stalled'; unstored: number; idleMs: number | null }
  | { kind: 'unknown' };

/** The defaults of `ProjectionWatchOptions`, in one place. */
export const PROJECTION_WATCH_DEFAULTS = { everyMs: 30_000, idleMs: 60_000 } as const;

/**
 * Run by a process that does not project (a task worker, by default): records are stored by the
 * api, beat and maintenance-worker, so a deployment without any of them would let the stream grow
 * until its cap trims records. That must not be silent: while entries wait and no projector has
 * read the stream for `idleMs`, every check logs an error.
 */
export class ProjectionWatch {
  private readonly settings: { everyMs: number; idleMs: number };
  private readonly stream: string;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ProjectionWatchOptions) {
    this.settings = {
      everyMs: options.everyMs ?? PROJECTION_WATCH_DEFAULTS.everyMs,
      idleMs: options.idleMs ?? PROJECTION_WATCH_DEFAULTS.idleMs,
    };
    checkWholeNumbers('ProjectionWatch', this.settings);
    this.stream = taskEventsStream(options.prefix);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.check().then(
        (state) => {
          if (state.kind !== 'stalled') return;
          this.options.logger.error(
            { unstored: state.unstored, projectorIdleMs: state.idleMs },
            'task records are not being stored: no record projector reads the task-event stream; ' +
              'run the api, beat or maintenance-worker, or set RECORD_PROJECTOR=true on a worker',
          );
        },
        () => {},
      );
    }, this.settings.everyMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Whether the stream's entries are being stored, from the group's lag and its readers' idle times. */
  async check(): Promise<ProjectionState> {
    const { connection } = this.options;
    const length = await connection.xlen(this.stream);
    if (length === 0) return { kind: 'stored' };
    const group = await readRecordsGroup(connection, this.stream);
    // No projector ever joined: every entry is unstored.
    if (!group) return { kind: 'stalled', unstored: length, idleMs: null };
    const unstored = unstoredIn(group);
    if (unstored === undefined) return { kind: 'unknown' };
    if (unstored === 0) return { kind: 'stored' };
    const consumers = ((await connection.xinfo('CONSUMERS', this.stream, RECORDS_GROUP)) as unknown[][]).map(
      toMap,
    );
    // A live projector reads at least every `blockMs` (1 s by default), even with nothing new.
    const idleMs =
      consumers.length === 0 ? null : Math.min(...consumers.map((consumer) => Number(consumer.idle)));
    if (idleMs !== null && idleMs < this.settings.idleMs) return { kind: 'stored' };
    return { kind: 'stalled', unstored, idleMs };
  }
}
