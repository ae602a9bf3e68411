ALTER TABLE "schedules" ADD COLUMN "owner_user_id" text;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "overlap_policy" text DEFAULT 'skip' NOT NULL;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "misfire_policy" text DEFAULT 'run_once' NOT NULL;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "misfire_cap" integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "next_run_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "last_run_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "last_task_id" text;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "queued_run_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "schedules" ADD COLUMN "skipped_runs" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "schedules_owner_idx" ON "schedules" USING btree ("owner_user_id");--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_overlap_check" CHECK ("schedules"."overlap_policy" in ('skip', 'queue_one', 'allow'));--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_misfire_check" CHECK ("schedules"."misfire_policy" in ('run_once', 'run_all', 'skip'));--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_misfire_cap_check" CHECK ("schedules"."misfire_cap" between 1 and 1000);