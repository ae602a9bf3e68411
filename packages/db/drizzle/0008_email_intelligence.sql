CREATE TABLE "email_cluster_members" (
	"email_id" uuid PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"cluster_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "email_clusters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"label" text NOT NULL,
	"terms" text[] NOT NULL,
	"size" integer NOT NULL,
	"method" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "email_feedback" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"email_id" uuid NOT NULL,
	"category" text,
	"rejected_category" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"applied_at" timestamp with time zone,
	CONSTRAINT "email_feedback_says_something" CHECK ("email_feedback"."category" is not null or "email_feedback"."rejected_category" is not null)
);
--> statement-breakpoint
CREATE TABLE "email_sender_reputation" (
	"user_id" text NOT NULL,
	"sender" text NOT NULL,
	"score" real NOT NULL,
	"messages" integer NOT NULL,
	"seen" integer NOT NULL,
	"answered" integer NOT NULL,
	"archived_unread" integer NOT NULL,
	"junk" integer NOT NULL,
	"corrected_wanted" integer NOT NULL,
	"corrected_spam" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "email_sender_reputation_user_id_sender_pk" PRIMARY KEY("user_id","sender")
);
--> statement-breakpoint
CREATE TABLE "user_daily_analytics" (
	"user_id" text NOT NULL,
	"day" date NOT NULL,
	"emails_received" integer NOT NULL,
	"categories" jsonb NOT NULL,
	"replies" integer NOT NULL,
	"median_response_minutes" real,
	"tasks_completed" integer NOT NULL,
	"tasks_failed" integer NOT NULL,
	"tasks_cancelled" integer NOT NULL,
	"tasks_by_name" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_daily_analytics_user_id_day_pk" PRIMARY KEY("user_id","day")
);
--> statement-breakpoint
CREATE TABLE "user_exports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"task_id" text NOT NULL,
	"path" text NOT NULL,
	"bytes" bigint NOT NULL,
	"sha256" text NOT NULL,
	"messages" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "inbound_emails" ADD COLUMN "folder" text;--> statement-breakpoint
ALTER TABLE "inbound_emails" ADD COLUMN "flags" text[];--> statement-breakpoint
ALTER TABLE "inbound_emails" ADD COLUMN "message_id" text;--> statement-breakpoint
ALTER TABLE "inbound_emails" ADD COLUMN "to_addresses" text[];--> statement-breakpoint
CREATE INDEX "email_cluster_members_cluster_idx" ON "email_cluster_members" USING btree ("cluster_id");--> statement-breakpoint
CREATE INDEX "email_clusters_user_idx" ON "email_clusters" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "email_feedback_email_idx" ON "email_feedback" USING btree ("email_id");--> statement-breakpoint
CREATE INDEX "email_feedback_user_idx" ON "email_feedback" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "user_exports_task_idx" ON "user_exports" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "user_exports_user_idx" ON "user_exports" USING btree ("user_id","created_at");