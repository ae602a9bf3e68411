import { defineTask } from '@foreman/core/producer';
import { z } from 'zod';

/** The contract this service shares with the worker that prices quotes. */
export const priceQuote = defineTask({
  name: 'quotes.price',
  queue: 'quotes',
  payload: z.object({
    items: z
      .array(
        z.object({
          sku: z.string().min(1),
          cents: z.number().int().nonnegative(),
          quantity: z.number().int().positive().default(1),
        }),
      )
      .min(1),
  }),
  result: z.object({ totalCents: z.number().int(), lines: z.number().int() }),
});
