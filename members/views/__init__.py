"""Members' web pages: applying, one's own membership, and printable documents."""
