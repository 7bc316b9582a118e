class SetupError(RuntimeError):
    """smscan cannot start a check (missing model, language data or templates): one line to act on."""
