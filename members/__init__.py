"""Members: people, their accounts on this server, membership and the share register."""
