CREATE TABLE "dead_letters" (
	"task_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"queue" text NOT NULL,
	"user_id" text,
	"payload" jsonb,
	"error" text NOT NULL,
	"stack_trace" text,
	"attempts" integer NOT NULL,
	"failed_at" timestamp with time zone NOT NULL,
	"replayed_as" text,
	"replayed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "progress" integer;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "progress_message" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "replay_of" text;--> statement-breakpoint
CREATE INDEX "dead_letters_failed_at_idx" ON "dead_letters" USING btree ("failed_at");--> statement-breakpoint
CREATE INDEX "dead_letters_name_idx" ON "dead_letters" USING btree ("name","failed_at");