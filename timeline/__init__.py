"""Timeline: statuses, the social graph that routes them, and home timelines."""
