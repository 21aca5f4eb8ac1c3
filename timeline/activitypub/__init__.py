"""The timeline's ActivityPub interface: its renderers, inbox handlers, deliveries and documents.

`TimelineConfig.ready()` imports the handler modules, whose decorators
register them with federation's inbox registry.
"""
