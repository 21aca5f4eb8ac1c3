"""Mastodon entity builders, below actions and streaming so every layer can import them."""
