"""Members' part of the Mastodon client API."""
