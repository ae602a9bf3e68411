-- A message's correction and cluster membership go with it, whichever path deletes it (retention,
-- an expunge seen by sync, a removed mailbox). Unqualified names: each schema's own tables.
DELETE FROM "email_feedback" WHERE "email_id" NOT IN (SELECT "id" FROM "inbound_emails");--> statement-breakpoint
DELETE FROM "email_cluster_members" WHERE "email_id" NOT IN (SELECT "id" FROM "inbound_emails");--> statement-breakpoint
ALTER TABLE "email_feedback" ADD CONSTRAINT "email_feedback_email_fk" FOREIGN KEY ("email_id") REFERENCES "inbound_emails"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "email_cluster_members" ADD CONSTRAINT "email_cluster_members_email_fk" FOREIGN KEY ("email_id") REFERENCES "inbound_emails"("id") ON DELETE CASCADE;
