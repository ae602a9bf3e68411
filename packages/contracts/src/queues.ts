/** The queues of the system; each worker app consumes exactly one. */
export const QUEUES = {
  ai: 'ai',
  email: 'email',
  file: 'file',
  sync: 'sync',
  maintenance: 'maintenance',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
