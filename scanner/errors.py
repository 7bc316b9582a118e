"""Every way smscan can fail, and the one place that maps each to an exit code.

Exit codes (as ClamAV for the first three; sysexits.h for the rest):

| code | meaning |
|---|---|
| 0  | every file was checked and passed |
| 1  | a file was blocked (a finding, or for a reason it names) |
| 2  | a file could not be checked (damaged, encrypted, over a limit, timed out): it is blocked too |
| 64 | bad usage: an unknown option, a missing argument, a value of the wrong kind |
| 69 | the installation is broken: Tesseract or its language data, the face model, or the logo templates missing |
| 78 | the policy file is invalid |
| 130 | interrupted (Ctrl+C) |

A file that cannot be checked is not an exception to the caller: it becomes a blocked
`FileReport` whose `error` says why. The exceptions below stop a command as a whole.
"""

from __future__ import annotations

EXIT_PASS = 0
EXIT_BLOCKED = 1
EXIT_UNCHECKED = 2
EXIT_USAGE = 64
EXIT_INSTALLATION = 69
EXIT_POLICY = 78
EXIT_INTERRUPTED = 130


class SmscanError(Exception):
    """A failure that stops the command; its message is one line a person can act on."""

    exit_code = EXIT_UNCHECKED


class UsageError(SmscanError):
    """The command line asks for something that cannot be done as written."""

    exit_code = EXIT_USAGE


class PolicyError(SmscanError, ValueError):
    """The policy file (or an option that changes the policy) is invalid."""

    exit_code = EXIT_POLICY


class SetupError(SmscanError, RuntimeError):
    """smscan cannot start a check: a model, language data or templates are missing."""

    exit_code = EXIT_INSTALLATION


class RegistryError(SetupError):
    """The declared checks contradict each other (two claim one name or kind, a kind nobody declares)."""


def exit_code_of(error: BaseException) -> int:
    if isinstance(error, SmscanError):
        return error.exit_code
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    return EXIT_UNCHECKED
