"""Governance's APIs: the co-op's proposals and log, reports, and Mastodon's admin subset."""
