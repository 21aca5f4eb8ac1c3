"""Governance's web pages and ActivityPub documents."""
