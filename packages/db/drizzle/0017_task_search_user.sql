-- The search document gains a lexeme naming the task's user, so a user's free-text search reads
-- the index entries of their rows only (docs/run-history.md#how-a-page-is-read). Rebuilds the
-- index: holds writes to tasks while it runs (see docs/run-history.md, Searching the history).
DROP INDEX "tasks_search_idx";--> statement-breakpoint
CREATE INDEX "tasks_search_idx" ON "tasks" USING gin ((to_tsvector('simple'::regconfig, "id" || ' ' || "name" || ' ' || coalesce("error", '')) || jsonb_to_tsvector('simple'::regconfig, coalesce("payload", 'null'::jsonb), '["string"]') || jsonb_to_tsvector('simple'::regconfig, coalesce("result", 'null'::jsonb), '["string"]') || array_to_tsvector(array_remove(array['user ' || "user_id"], null))));