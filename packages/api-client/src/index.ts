export { type ApiClient, type ApiClientOptions, createApiClient, unwrap } from './api-client.js';
export { ApiClientOptionsError } from './api-client-options-error.js';
export { ApiRequestError } from './api-request-error.js';
export type { components, operations, paths } from './generated/openapi.js';
export { TASK_EVENT_TYPES, type TaskEvent, type TaskEventType } from './task-event.js';

import type { components } from './generated/openapi.js';

/** The api's named schemas: `ApiSchema<'Task'>` is a task record as the api answers it. */
export type ApiSchema<Name extends keyof components['schemas']> = components['schemas'][Name];
