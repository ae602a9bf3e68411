import { InvalidOptionError } from '../errors/invalid-option-error.js';

/**
 * Throws `InvalidOptionError` for the first option that is not a whole number of at least `min`
 * (1 for sizes, counts and intervals; 0 where none is a meaningful setting). Called by each
 * constructor with its settings after defaults are applied.
 */
export function checkWholeNumbers(component: string, values: Record<string, number>, min: 0 | 1 = 1): void {
  for (const [option, value] of Object.entries(values)) {
    if (!Number.isSafeInteger(value) || value < min) {
      throw new InvalidOptionError(component, option, value, `a whole number of at least ${min}`);
    }
  }
}
