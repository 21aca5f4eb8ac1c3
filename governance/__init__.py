"""Governance: the charter and rules, assemblies, ballots, moderation and the log."""
