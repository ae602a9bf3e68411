import { defineConfig } from 'drizzle-kit';

// Migrations are generated from src/schema (`pnpm --filter @foreman/db generate`) and committed.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema/index.ts',
  out: './drizzle',
});
