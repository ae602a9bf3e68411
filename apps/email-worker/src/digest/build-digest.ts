export interface DigestTask {
  name: string;
  status: string;
  error: string | null;
}

export interface DigestAiResult {
  name: string;
  lastResult: string | null;
  lastError: string | null;
}

export interface Digest {
  subject: string;
  text: string;
}

const EXCERPT = 500;

/** The plain-text digest of one user's day: task counts by status, failures, and AI answers. */
export function buildDigest(day: string, tasks: DigestTask[], aiResults: DigestAiResult[]): Digest {
  const counts = new Map<string, number>();
  for (const task of tasks) counts.set(task.status, (counts.get(task.status) ?? 0) + 1);
  const lines = [`Your Foreman summary for ${day} (UTC)`, ''];
  if (tasks.length === 0) lines.push('No tasks ran.');
  else {
    lines.push(`Tasks: ${tasks.length}`);
    for (const [status, count] of [...counts].sort()) lines.push(`  ${status}: ${count}`);
  }
  const failures = tasks.filter((task) => task.status === 'failed');
  if (failures.length > 0) {
    lines.push('', 'Failed:');
    for (const task of failures.slice(0, 20)) lines.push(`  - ${task.name}: ${task.error ?? 'no message'}`);
    if (failures.length > 20) lines.push(`  … and ${failures.length - 20} more`);
  }
  if (aiResults.length > 0) {
    lines.push('', 'AI tasks:');
    for (const result of aiResults) {
      const body = result.lastError ? `failed: ${result.lastError}` : (result.lastResult ?? '');
      lines.push(`  - ${result.name}: ${body.length > EXCERPT ? `${body.slice(0, EXCERPT)}…` : body}`);
    }
  }
  return {
    subject: `Foreman summary for ${day}: ${tasks.length} tasks, ${failures.length} failed`,
    text: `${lines.join('\n')}\n`,
  };
}
