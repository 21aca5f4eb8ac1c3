"""Decision methods: validate a choice and count ballots, free of the ORM.

Everything here is a pure function of the options and the choices, so that
anyone holding the published ballots can recount and get the same result.
"""
