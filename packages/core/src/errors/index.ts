export { DuplicateTaskError } from './duplicate-task-error.js';
export { InvalidResultError } from './invalid-result-error.js';
export { PayloadValidationError, type ValidationIssue } from './payload-validation-error.js';
export { TaskError, type TaskErrorContext } from './task-error.js';
export { TaskTimeoutError } from './task-timeout-error.js';
export { UnknownTaskError } from './unknown-task-error.js';
