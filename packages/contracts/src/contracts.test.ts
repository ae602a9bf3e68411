import { EVERY_USER } from '@foreman/core/producer';
import { createRegistry, QUEUES } from './index.js';

describe('contracts', () => {
  const registry = createRegistry();

  it('routes every task to one of the known queues', () => {
    for (const contract of registry.list()) {
      expect(Object.values(QUEUES)).toContain(contract.queue);
    }
  });

  it('covers every queue with at least one task', () => {
    expect(registry.queues()).toEqual([...Object.values(QUEUES)].sort());
  });

  it('leaves to admins and schedules only the tasks that act on the whole deployment', () => {
    const system = registry
      .list()
      .filter((contract) => contract.audience === 'system')
      .map((contract) => contract.name);
    expect(system.sort()).toEqual([
      'ai.process_due_ai_tasks',
      'email.categorize_emails',
      'email.process_email_queue',
      'email.send_daily_email_summary',
      'file.cleanup_temp_files',
      'maintenance.clean_queues',
      'maintenance.cleanup_expired_tokens',
      'maintenance.cleanup_old_logs',
      'maintenance.enforce_retention_policy',
      'maintenance.monitor_system_health',
      'maintenance.optimize_database',
      'maintenance.rotate_mailbox_secrets',
      'sync.sync_notion_pages',
    ]);
  });

  it("names the owner of user tasks' payloads that touch a user's data", () => {
    const owner = (name: string, payload: unknown) => registry.get(name).ownedBy?.(payload);
    expect(owner('file.backup_user_data', { userId: 'alice' })).toEqual({ userId: 'alice' });
    expect(owner('file.backup_user_data', {})).toBe(EVERY_USER);
    expect(owner('ai.run_ai_task', { aiTaskId: 'a' })).toEqual({ table: 'ai_tasks', id: 'a' });
    expect(owner('file.verify_backup', { backupId: 'b' })).toEqual({ table: 'backups', id: 'b' });
    expect(owner('sync.sync_calendar_events', {})).toBe(EVERY_USER);
    for (const name of [
      'email.classify_email_batch',
      'email.reclassify_with_feedback',
      'email.cluster_user_emails',
      'email.update_sender_reputation',
      'file.export_user_data',
      'maintenance.update_analytics',
    ]) {
      expect(owner(name, { userId: 'alice' })).toEqual({ userId: 'alice' });
    }
    expect(owner('maintenance.update_analytics', {})).toBe(EVERY_USER);
    expect(owner('sync.sync_calendar_events', { feedId: 'f' })).toEqual({ table: 'calendar_feeds', id: 'f' });
    const mailboxId = '6f1c2a4e-8b1d-4c7e-9a3f-2d5b7e9c1a40';
    for (const name of ['email.sync_user_emails', 'email.incremental_sync', 'email.cleanup_old_emails']) {
      expect(owner(name, { mailboxId })).toEqual({ table: 'mailboxes', id: mailboxId });
      expect(owner(name, { userId: 'ada' })).toEqual({ userId: 'ada' });
      expect(owner(name, {})).toBe(EVERY_USER);
    }
    expect(owner('email.bulk_label_emails', { mailboxId, uids: [1], labels: ['x'] })).toEqual({
      table: 'mailboxes',
      id: mailboxId,
    });
  });

  it('describes each payload as JSON Schema', () => {
    const email = registry.describe().find((task) => task.name === 'email.send_email');
    expect(email?.payloadSchema).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['to', 'subject']),
    });
  });
});
