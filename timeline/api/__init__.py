"""Timeline's part of the Mastodon client API."""
