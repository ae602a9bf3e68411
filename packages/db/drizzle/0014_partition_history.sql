-- Task history partitioned by week of the task's created_at (docs/history-partitions.md). The
-- unpartitioned tables are renamed, their rows copied into the partitioned ones (counted, so a
-- lost row fails the migration) and dropped, all in the migration's one transaction. Unqualified
-- names: each schema's own tables.
ALTER TABLE "tasks" RENAME TO "tasks_unpartitioned";--> statement-breakpoint
ALTER TABLE "tasks_unpartitioned" RENAME CONSTRAINT "tasks_pkey" TO "tasks_unpartitioned_pkey";--> statement-breakpoint
DROP INDEX "tasks_name_status_created_idx", "tasks_user_status_idx", "tasks_queue_job_id_idx", "tasks_user_created_idx", "tasks_created_idx", "tasks_payload_idx", "tasks_search_idx";--> statement-breakpoint
ALTER TABLE "dead_letters" RENAME TO "dead_letters_unpartitioned";--> statement-breakpoint
ALTER TABLE "dead_letters_unpartitioned" RENAME CONSTRAINT "dead_letters_pkey" TO "dead_letters_unpartitioned_pkey";--> statement-breakpoint
DROP INDEX "dead_letters_failed_at_idx", "dead_letters_name_idx", "dead_letters_unreplayed_queue_idx";--> statement-breakpoint
-- Same columns in the same order (LIKE), so rows copy with SELECT *; the CHECK comes along.
CREATE TABLE "tasks" (LIKE "tasks_unpartitioned" INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE ("created_at");--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_pkey" PRIMARY KEY ("id", "created_at");--> statement-breakpoint
CREATE TABLE "tasks_default" PARTITION OF "tasks" DEFAULT;--> statement-breakpoint
CREATE TABLE "dead_letters" (
	LIKE "dead_letters_unpartitioned" INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
	"task_created_at" timestamp with time zone DEFAULT now() NOT NULL
) PARTITION BY RANGE ("task_created_at");--> statement-breakpoint
ALTER TABLE "dead_letters" ADD CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("task_id", "task_created_at");--> statement-breakpoint
CREATE TABLE "dead_letters_default" PARTITION OF "dead_letters" DEFAULT;--> statement-breakpoint
CREATE TABLE "task_ids" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);--> statement-breakpoint
-- One partition per UTC week (Monday 00:00) from the oldest stored task to four weeks ahead; the
-- maintenance task keeps creating them ahead from now on.
DO $$
DECLARE
	first_week timestamptz;
	week timestamptz;
BEGIN
	SELECT date_trunc('week', coalesce(min("created_at"), now()) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
		INTO first_week FROM "tasks_unpartitioned";
	week := first_week;
	WHILE week <= date_trunc('week', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '4 weeks' LOOP
		EXECUTE format('CREATE TABLE %I PARTITION OF "tasks" FOR VALUES FROM (%L) TO (%L)',
			'tasks_p' || to_char(week AT TIME ZONE 'UTC', 'YYYYMMDD'), week, week + interval '1 week');
		EXECUTE format('CREATE TABLE %I PARTITION OF "dead_letters" FOR VALUES FROM (%L) TO (%L)',
			'dead_letters_p' || to_char(week AT TIME ZONE 'UTC', 'YYYYMMDD'), week, week + interval '1 week');
		week := week + interval '1 week';
	END LOOP;
END $$;--> statement-breakpoint
INSERT INTO "tasks" SELECT * FROM "tasks_unpartitioned";--> statement-breakpoint
INSERT INTO "task_ids" ("id", "created_at") SELECT "id", "created_at" FROM "tasks_unpartitioned";--> statement-breakpoint
-- A dead letter takes its task's created_at; one whose task record is gone, its own failed_at.
INSERT INTO "dead_letters"
	SELECT d.*, coalesce(t."created_at", d."failed_at")
	FROM "dead_letters_unpartitioned" d LEFT JOIN "task_ids" t ON t."id" = d."task_id";--> statement-breakpoint
DO $$
BEGIN
	IF (SELECT count(*) FROM "tasks") <> (SELECT count(*) FROM "tasks_unpartitioned")
		OR (SELECT count(*) FROM "dead_letters") <> (SELECT count(*) FROM "dead_letters_unpartitioned") THEN
		RAISE EXCEPTION 'partition_history: row counts differ after the copy';
	END IF;
END $$;--> statement-breakpoint
DROP TABLE "tasks_unpartitioned";--> statement-breakpoint
DROP TABLE "dead_letters_unpartitioned";--> statement-breakpoint
-- Indexes after the copy (a build is faster than row by row); on the parent, so every partition,
-- present and future, has them.
CREATE INDEX "task_ids_created_idx" ON "task_ids" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "tasks_name_status_created_idx" ON "tasks" USING btree ("name","status","created_at");--> statement-breakpoint
CREATE INDEX "tasks_user_status_idx" ON "tasks" USING btree ("user_id","status");--> statement-breakpoint
CREATE INDEX "tasks_queue_job_id_idx" ON "tasks" USING btree ("queue_job_id");--> statement-breakpoint
CREATE INDEX "tasks_user_created_idx" ON "tasks" USING btree ("user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "tasks_created_idx" ON "tasks" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "tasks_payload_idx" ON "tasks" USING gin ("payload" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "tasks_search_idx" ON "tasks" USING gin ((to_tsvector('simple'::regconfig, "id" || ' ' || "name" || ' ' || coalesce("error", '')) || jsonb_to_tsvector('simple'::regconfig, coalesce("payload", 'null'::jsonb), '["string"]') || jsonb_to_tsvector('simple'::regconfig, coalesce("result", 'null'::jsonb), '["string"]')));--> statement-breakpoint
CREATE INDEX "dead_letters_failed_at_idx" ON "dead_letters" USING btree ("failed_at");--> statement-breakpoint
CREATE INDEX "dead_letters_name_idx" ON "dead_letters" USING btree ("name","failed_at");--> statement-breakpoint
CREATE INDEX "dead_letters_unreplayed_queue_idx" ON "dead_letters" USING btree ("queue") WHERE "dead_letters"."replayed_as" is null;--> statement-breakpoint
-- Every insert into tasks, whoever makes it (record writer, COPY, a test), records the id's week.
-- An id already stored with another created_at would be a second row for one task: refused as a
-- unique violation, which the record writer quarantines.
CREATE FUNCTION "tasks_record_ids"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO task_ids (id, created_at) SELECT id, created_at FROM inserted_tasks ON CONFLICT (id) DO NOTHING;
	IF EXISTS (
		SELECT 1 FROM inserted_tasks n JOIN task_ids i ON i.id = n.id WHERE i.created_at <> n.created_at
	) THEN
		RAISE EXCEPTION 'a task id is stored already with another created_at'
			USING ERRCODE = 'unique_violation', TABLE = 'tasks';
	END IF;
	RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "tasks_record_ids" AFTER INSERT ON "tasks" REFERENCING NEW TABLE AS inserted_tasks
	FOR EACH STATEMENT EXECUTE FUNCTION "tasks_record_ids"();
