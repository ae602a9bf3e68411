import { nextOccurrence, type OccurrenceTiming } from '@foreman/core';
import type { MisfirePolicy, OverlapPolicy } from '@foreman/db';

/** Occurrences looked at per tick at most: a long outage is fast-forwarded, not enumerated. */
const MAX_DUE = 1_000;

export interface TickInput {
  timing: OccurrenceTiming;
  overlapPolicy: OverlapPolicy;
  misfirePolicy: MisfirePolicy;
  misfireCap: number;
  /** The next occurrence not yet handled (epoch ms); null: none yet, start from now. */
  nextRunAt: number | null;
  /** queue_one: the occurrence held until the previous run ends. */
  queuedRunAt: number | null;
  /** Whether the schedule's last run has not finished (waiting for admission, queued or running). */
  running: boolean;
  now: number;
  /** An occurrence older than this when beat handles it was missed. */
  misfireGraceMs: number;
}

export interface TickPlan {
  /** Occurrences to submit now, in order. */
  fire: number[];
  queuedRunAt: number | null;
  /** Occurrences dropped by the misfire or overlap policy. */
  skipped: number;
  nextRunAt: number;
}

/**
 * What one tick does with a schedule. The due occurrences are those from `nextRunAt` up to now;
 * the misfire policy picks which of them run (on-time ones always do; missed ones: `run_once` the
 * latest, `run_all` the latest `misfireCap`, `skip` none). The overlap policy then looks at the
 * previous run: while it has not finished, `skip` drops them, `queue_one` holds the newest (a newer
 * one replaces it) and runs it once the previous run ends, `allow` runs them anyway.
 */
export function planTick(input: TickInput): TickPlan {
  const { timing, now } = input;
  if (input.nextRunAt === null) {
    // First sight of the schedule: nothing counts as missed.
    return { fire: [], queuedRunAt: input.queuedRunAt, skipped: 0, nextRunAt: nextOccurrence(timing, now) };
  }
  const { due, passed } = dueOccurrences(timing, input.nextRunAt, now);
  const next = due.length > 0 ? nextOccurrence(timing, due.at(-1) as number) : input.nextRunAt;
  const chosen = misfire(input, due);
  let skipped = passed + due.length - chosen.length;

  const fire: number[] = [];
  let queuedRunAt = input.queuedRunAt;
  let running = input.running;
  if (queuedRunAt !== null && !running) {
    fire.push(queuedRunAt);
    queuedRunAt = null;
    running = true;
  }
  if (chosen.length > 0) {
    if (!running || input.overlapPolicy === 'allow') fire.push(...chosen);
    else if (input.overlapPolicy === 'queue_one') {
      // One held at most: the newest replaces any older one, which counts as skipped.
      skipped += chosen.length - 1 + (queuedRunAt !== null ? 1 : 0);
      queuedRunAt = chosen.at(-1) as number;
    } else skipped += chosen.length;
  }
  return { fire, queuedRunAt, skipped, nextRunAt: next };
}

/**
 * Occurrences from `from` up to `now`. After an outage longer than MAX_DUE occurrences, only the
 * latest ones are listed (no policy runs more than MAX_DUE); `passed` counts, at least, those
 * fast-forwarded over.
 */
function dueOccurrences(
  timing: OccurrenceTiming,
  from: number,
  now: number,
): { due: number[]; passed: number } {
  let start = from;
  let passed = 0;
  for (;;) {
    const due: number[] = [];
    let at = start;
    while (at <= now && due.length < MAX_DUE) {
      due.push(at);
      at = nextOccurrence(timing, at);
    }
    if (at > now) return { due, passed };
    // Too many: look again from half-way to now; the ones before that are passed over.
    passed += due.length;
    start = nextOccurrence(timing, now - Math.ceil((now - start) / 2));
  }
}

function misfire(input: TickInput, due: number[]): number[] {
  const missed = due.filter((occurrence) => input.now - occurrence > input.misfireGraceMs);
  const onTime = due.slice(missed.length);
  if (missed.length === 0 || input.misfirePolicy === 'skip') return onTime;
  if (input.misfirePolicy === 'run_once') return onTime.length > 0 ? onTime : missed.slice(-1);
  return due.slice(-input.misfireCap);
}
