"""Typed ActivityStreams objects and their JSON form, free of the database."""
