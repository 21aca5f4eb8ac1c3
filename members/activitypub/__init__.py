"""Members' ActivityPub interface: remote accounts updating or deleting themselves.

`MembersConfig.ready()` imports the handler modules, whose decorators
register them with federation's inbox registry.
"""
