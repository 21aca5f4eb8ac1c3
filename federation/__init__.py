"""Federation: ActivityPub actors, keys, signatures, inboxes and deliveries."""
