CREATE TABLE "mailbox_folders" (
	"mailbox_id" uuid NOT NULL,
	"folder" text NOT NULL,
	"uid_validity" bigint,
	"uid_next" bigint,
	"highest_modseq" bigint,
	"full_sync_through_uid" bigint,
	"last_sync_at" timestamp with time zone,
	"last_full_sync_at" timestamp with time zone,
	CONSTRAINT "mailbox_folders_mailbox_id_folder_pk" PRIMARY KEY("mailbox_id","folder")
);
--> statement-breakpoint
CREATE TABLE "mailboxes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"host" text NOT NULL,
	"port" integer NOT NULL,
	"tls" boolean DEFAULT true NOT NULL,
	"username" text NOT NULL,
	"auth_kind" text NOT NULL,
	"secret" text NOT NULL,
	"secret_key_id" text NOT NULL,
	"token_endpoint" text,
	"token_expires_at" timestamp with time zone,
	"needs_reconsent" boolean DEFAULT false NOT NULL,
	"folders" text[] DEFAULT '{INBOX}'::text[] NOT NULL,
	"retention_days" integer,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mailboxes_auth_kind_check" CHECK ("mailboxes"."auth_kind" in ('password', 'oauth')),
	CONSTRAINT "mailboxes_retention_check" CHECK ("mailboxes"."retention_days" is null or "mailboxes"."retention_days" > 0)
);
--> statement-breakpoint
ALTER TABLE "inbound_emails" ADD COLUMN "mailbox_id" uuid;--> statement-breakpoint
ALTER TABLE "inbound_emails" ADD COLUMN "uid" bigint;--> statement-breakpoint
ALTER TABLE "inbound_emails" ADD COLUMN "size_bytes" integer;--> statement-breakpoint
ALTER TABLE "inbound_emails" ADD COLUMN "snippet" text;--> statement-breakpoint
CREATE UNIQUE INDEX "mailboxes_user_account_idx" ON "mailboxes" USING btree ("user_id","host","username");--> statement-breakpoint
CREATE INDEX "mailboxes_token_expiry_idx" ON "mailboxes" USING btree ("token_expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_emails_mailbox_folder_uid_idx" ON "inbound_emails" USING btree ("mailbox_id","folder","uid");