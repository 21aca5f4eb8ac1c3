"""Plumbing shared by every app's Mastodon client API: errors, parameters, pagination, rate limits."""
