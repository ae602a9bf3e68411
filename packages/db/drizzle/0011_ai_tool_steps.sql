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
CREATE TABLE "ai_budgets" (
	"user_id" text PRIMARY KEY NOT NULL,
	"daily_tokens" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ai_usage_daily" (
	"user_id" text NOT NULL,
	"day" date NOT NULL,
	"prompt_tokens" integer DEFAULT 0 NOT NULL,
	"completion_tokens" integer DEFAULT 0 NOT NULL,
	"model_calls" integer DEFAULT 0 NOT NULL,
	"tool_calls" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "ai_usage_daily_user_id_day_pk" PRIMARY KEY("user_id","day")
);
--> statement-breakpoint
ALTER TABLE "ai_tasks" ADD COLUMN "tools" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "ai_tasks" ADD COLUMN "stream" boolean DEFAULT false NOT NULL;