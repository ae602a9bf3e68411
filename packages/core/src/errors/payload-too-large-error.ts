import { TaskError } from './task-error.js';

export class PayloadTooLargeError extends TaskError {
  constructor(taskName: string, bytes: number, limit: number) {
    super('PAYLOAD_TOO_LARGE', `Payload of "${taskName}" is ${bytes} bytes; the limit is ${limit}`, {
      taskName,
    });
  }
}
