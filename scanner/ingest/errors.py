class IngestError(Exception):
    """A file that cannot be checked; the message is one line a person can act on."""
