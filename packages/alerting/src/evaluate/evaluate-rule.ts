import type { AlertRule } from '../rules/alert-rule.js';
import type { AlertInputs } from './alert-inputs.js';

export interface RuleEvaluation {
  firing: boolean;
  value: number;
  message: string;
}

/** Registered in code, named by `custom` rules: returns the value compared with the threshold. */
export type AlertPredicate = (inputs: AlertInputs, rule: AlertRule) => number | Promise<number>;

// Never seen at all: stored as this many milliseconds rather than Infinity (JSON has no Infinity).
const NEVER = 1e15;

/** Measures what a rule looks at and says whether it fires (value above threshold). */
export async function evaluateRule(
  rule: AlertRule,
  inputs: AlertInputs,
  predicates: Record<string, AlertPredicate>,
): Promise<RuleEvaluation> {
  const result = (value: number, message: string) => ({ firing: value > rule.threshold, value, message });
  switch (rule.kind) {
    case 'failure_rate': {
      const summary = await inputs.taskSummary(rule.task, rule.windowMs);
      const finished = summary ? summary.completed + summary.failed : 0;
      if (!summary || finished < rule.minTasks) {
        return {
          firing: false,
          value: 0,
          message: `${finished} ${rule.task} tasks finished, too few to judge`,
        };
      }
      return result(
        summary.failureRate,
        `${rule.task} failure rate ${(summary.failureRate * 100).toFixed(1)}% (${summary.failed}/${finished}) over ${rule.windowMs / 1000}s, threshold ${(rule.threshold * 100).toFixed(1)}%`,
      );
    }
    case 'p95_duration': {
      const summary = await inputs.taskSummary(rule.task, rule.windowMs);
      const p95 = summary?.durationMs.p95 ?? 0;
      return result(
        p95,
        `${rule.task} p95 run time ${p95} ms over ${rule.windowMs / 1000}s, threshold ${rule.threshold} ms`,
      );
    }
    case 'queue_depth': {
      const depth = await inputs.queueDepth(rule.queue);
      const value = rule.states.reduce((sum, state) => sum + depth[state], 0);
      return result(
        value,
        `queue ${rule.queue} holds ${value} jobs (${rule.states.join('+')}), threshold ${rule.threshold}`,
      );
    }
    case 'dead_letter_growth': {
      const value = await inputs.newDeadLetters(rule.windowMs, rule.queue);
      return result(
        value,
        `${value} new dead letters${rule.queue ? ` on queue ${rule.queue}` : ''} in ${rule.windowMs / 1000}s, threshold ${rule.threshold}`,
      );
    }
    case 'records_quarantined': {
      const value = await inputs.quarantinedRecords(rule.windowMs);
      return result(
        value,
        `${value} task records refused by the database (quarantined) in ${rule.windowMs / 1000}s, threshold ${rule.threshold}`,
      );
    }
    case 'missing_heartbeat': {
      const beat = await inputs.lastHeartbeat(rule.service);
      if (!beat) return result(NEVER, `no ${rule.service} has ever sent a heartbeat`);
      const age = Date.now() - beat.at;
      return result(
        age,
        `last heartbeat of ${rule.service} ${Math.round(age / 1000)}s ago, threshold ${rule.threshold / 1000}s`,
      );
    }
    case 'custom': {
      const predicate = predicates[rule.predicate];
      if (!predicate)
        return { firing: false, value: 0, message: `predicate "${rule.predicate}" is not registered` };
      const value = await predicate(inputs, rule);
      return result(value, `${rule.predicate} = ${value}, threshold ${rule.threshold}`);
    }
  }
}
