"""Members' actions: check_* validates untrusted input, do_* changes state atomically."""
