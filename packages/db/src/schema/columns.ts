import { timestamp } from 'drizzle-orm/pg-core';

/** A timestamp with time zone read as a Date; every table uses this one shape. */
export const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
