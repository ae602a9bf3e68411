CREATE TABLE "schedules" (
	"id" text PRIMARY KEY NOT NULL,
	"task_name" text NOT NULL,
	"queue" text NOT NULL,
	"payload" jsonb NOT NULL,
	"cron" text,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"every_ms" integer,
	"description" text DEFAULT '' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"source" text NOT NULL,
	"edited_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "schedules_timing_check" CHECK (("schedules"."cron" is null) <> ("schedules"."every_ms" is null)),
	CONSTRAINT "schedules_source_check" CHECK ("schedules"."source" in ('declared', 'user'))
);
--> statement-breakpoint
CREATE TABLE "workflow_nodes" (
	"workflow_id" text NOT NULL,
	"key" text NOT NULL,
	"position" integer NOT NULL,
	"task_name" text NOT NULL,
	"queue" text NOT NULL,
	"payload" jsonb NOT NULL,
	"depends_on" jsonb NOT NULL,
	"condition" jsonb NOT NULL,
	"timeout_ms" integer,
	"status" text NOT NULL,
	"task_id" text,
	"result" jsonb,
	"error" text,
	"queued_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"duration_ms" integer,
	CONSTRAINT "workflow_nodes_workflow_id_key_pk" PRIMARY KEY("workflow_id","key"),
	CONSTRAINT "workflow_nodes_status_check" CHECK ("workflow_nodes"."status" in ('waiting', 'queued', 'running', 'completed', 'failed', 'skipped'))
);
--> statement-breakpoint
CREATE TABLE "workflows" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"user_id" text,
	"status" text NOT NULL,
	"error" text,
	"created_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"duration_ms" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workflows_status_check" CHECK ("workflows"."status" in ('running', 'completed', 'failed', 'cancelled'))
);
--> statement-breakpoint
CREATE INDEX "workflow_nodes_task_id_idx" ON "workflow_nodes" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "workflows_status_created_idx" ON "workflows" USING btree ("status","created_at");