export * from './ai-tasks.js';
export * from './backups.js';
export * from './calendar.js';
export * from './dead-letters.js';
export * from './email.js';
export * from './pages.js';
export * from './tasks.js';
