CREATE TABLE "ai_approvals" (
	"task_id" text NOT NULL,
	"step_index" integer NOT NULL,
	"user_id" text NOT NULL,
	"question" text NOT NULL,
	"token_hash" text NOT NULL,
	"deadline" timestamp with time zone NOT NULL,
	"decision" text,
	"comment" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ai_approvals_task_id_step_index_pk" PRIMARY KEY("task_id","step_index"),
	CONSTRAINT "ai_approvals_decision_check" CHECK ("ai_approvals"."decision" in ('approved', 'denied'))
);
