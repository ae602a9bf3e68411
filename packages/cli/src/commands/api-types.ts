import type { ApiSchema } from '@foreman/api-client';

/** The api's answers the cli prints, as its OpenAPI document describes them. */
export type TaskJson = ApiSchema<'Task'>;
export type SubmittedJson = ApiSchema<'SubmittedTask'>;
export type DeadLetterJson = ApiSchema<'DeadLetter'>;
export type ApiKeyJson = ApiSchema<'ApiKey'>;
