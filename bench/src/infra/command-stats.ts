/** Calls per command, parsed from the `INFO commandstats` section. */
export type CommandCalls = Record<string, number>;

/** Commands the harness itself sends while measuring; they are not the contender's. */
const HARNESS_COMMANDS = new Set(['info', 'config|resetstat', 'flushall', 'ping']);

export function parseCommandStats(info: string): CommandCalls {
  const calls: CommandCalls = {};
  for (const line of info.split(/\r?\n/)) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (match && !HARNESS_COMMANDS.has(match[1]!)) calls[match[1]!] = Number(match[2]);
  }
  return calls;
}

export interface CommandSummary {
  total: number;
  /** The busiest commands, most calls first. */
  top: Array<{ command: string; calls: number }>;
}

export function summarizeCommands(calls: CommandCalls, topN = 10): CommandSummary {
  const entries = Object.entries(calls).sort((a, b) => b[1] - a[1]);
  return {
    total: entries.reduce((sum, [, count]) => sum + count, 0),
    top: entries.slice(0, topN).map(([command, count]) => ({ command, calls: count })),
  };
}
