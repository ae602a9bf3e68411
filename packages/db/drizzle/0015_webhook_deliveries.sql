CREATE TABLE "webhook_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"task_id" text NOT NULL,
	"url" text NOT NULL,
	"event" text NOT NULL,
	"attempt" integer NOT NULL,
	"delivered" boolean NOT NULL,
	"status_code" integer,
	"error" text,
	"duration_ms" integer NOT NULL,
	"attempted_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_task_attempt_idx" ON "webhook_deliveries" USING btree ("task_id","attempt");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_attempted_at_idx" ON "webhook_deliveries" USING btree ("attempted_at");