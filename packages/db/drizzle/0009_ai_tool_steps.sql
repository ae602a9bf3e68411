CREATE TABLE "ai_task_steps" (
	"task_id" text NOT NULL,
	"step_index" integer NOT NULL,
	"kind" text NOT NULL,
	"input_hash" text NOT NULL,
	"output" text NOT NULL,
	"prompt_tokens" integer DEFAULT 0 NOT NULL,
	"completion_tokens" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ai_task_steps_task_id_step_index_pk" PRIMARY KEY("task_id","step_index")
);
--> statement-breakpoint
ALTER TABLE "ai_tasks" ADD COLUMN "tools" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "ai_tasks" ADD COLUMN "stream" boolean DEFAULT false NOT NULL;