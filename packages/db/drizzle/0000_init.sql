CREATE TABLE "tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"queue" text NOT NULL,
	"user_id" text,
	"status" text NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"payload" jsonb,
	"result" jsonb,
	"error" text,
	"stack_trace" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_retries" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"duration_ms" integer,
	"wait_ms" integer,
	"queue_job_id" text,
	"trace_id" text,
	"version" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tasks_status_check" CHECK ("tasks"."status" in ('pending', 'running', 'completed', 'failed', 'cancelled', 'retrying'))
);
--> statement-breakpoint
CREATE INDEX "tasks_name_status_created_idx" ON "tasks" USING btree ("name","status","created_at");--> statement-breakpoint
CREATE INDEX "tasks_user_status_idx" ON "tasks" USING btree ("user_id","status");--> statement-breakpoint
CREATE INDEX "tasks_queue_job_id_idx" ON "tasks" USING btree ("queue_job_id");