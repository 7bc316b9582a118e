class IngestError(Exception):
    """A file that cannot be checked; the message is one line a person can act on."""


def one_line(error: BaseException) -> str:
    """An exception's message folded onto one line, for a person to read."""
    return " ".join(str(error).split()) or type(error).__name__
