import type { TaskRegistry } from '@foreman/core';
import { Hono } from 'hono';

/** Every registered task contract, with its payload as JSON Schema. */
export function taskTypeRoutes({ registry }: { registry: TaskRegistry }) {
  const described = registry.describe();
  return new Hono().get('/', (c) => c.json({ taskTypes: described }));
}
