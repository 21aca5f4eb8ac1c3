"""Governance's ActivityPub interface: remote reports (Flag) become moderation reports, forwarded ones Flags.

`GovernanceConfig.ready()` imports the handler modules, whose decorators
register them with federation's inbox registry.
"""
