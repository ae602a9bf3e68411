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

  it('describes each payload as JSON Schema', () => {
    const email = registry.describe().find((task) => task.name === 'email.send_email');
    expect(email?.payloadSchema).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['to', 'subject']),
    });
  });
});
