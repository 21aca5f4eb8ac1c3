"""Mastodon's streaming API: events sent on commit, and the WebSocket and SSE endpoints that carry them."""
