import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertRuleInvalidError } from '../errors/alert-rule-invalid-error.js';
import { loadRulesFile } from './rules-file.js';

async function fileWith(content: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'rules-')), 'alerts.json');
  await writeFile(path, content);
  return path;
}

describe('loadRulesFile', () => {
  it('reads channels and rules, filling defaults', async () => {
    const path = await fileWith(
      JSON.stringify({
        channels: {
          ops: { type: 'webhook', url: 'http://127.0.0.1:9/hook', secret: 'sixteen-chars-at-least' },
        },
        rules: [
          {
            id: 'email-failing',
            kind: 'failure_rate',
            task: 'email.send_email',
            threshold: 0.1,
            severity: 'critical',
            channels: ['ops'],
          },
        ],
      }),
    );
    const file = await loadRulesFile(path);
    expect(file.channels.ops?.type).toBe('webhook');
    expect(file.rules[0]).toMatchObject({
      id: 'email-failing',
      windowMs: 300_000,
      cooldownMs: 900_000,
      minTasks: 1,
      enabled: true,
    });
  });

  it('names every bad field and refuses duplicate ids', async () => {
    const bad = await fileWith(
      JSON.stringify({ rules: [{ id: 'Bad Id', kind: 'queue_depth', severity: 'loud' }] }),
    );
    const error = await loadRulesFile(bad).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AlertRuleInvalidError);
    const paths = ((error as AlertRuleInvalidError).details as Array<{ path: string }>).map(
      (issue) => issue.path,
    );
    expect(paths).toEqual(
      expect.arrayContaining(['rules.0.id', 'rules.0.severity', 'rules.0.queue', 'rules.0.threshold']),
    );

    const rule = { id: 'twice', kind: 'queue_depth', queue: 'q', threshold: 1, severity: 'warning' };
    const duplicate = await fileWith(JSON.stringify({ rules: [rule, rule] }));
    await expect(loadRulesFile(duplicate)).rejects.toThrow(AlertRuleInvalidError);
    await expect(loadRulesFile(await fileWith('{ not json'))).rejects.toMatchObject({
      code: 'ALERT_RULE_INVALID',
    });
  });
});
