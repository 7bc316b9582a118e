"""Options every command shares (--lang, --policy, --consent): what they mean, in one place, for
the smscan command and the mail commands it registers."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_common(parser: argparse.ArgumentParser, *, language: bool = True, policy: bool = True) -> None:
    if language:
        parser.add_argument("--lang", help="en or fr (default: from SMSCAN_LANG or LANG)")
    if policy:
        parser.add_argument("--policy", type=Path, metavar="FILE",
                            help="policy file (default: $SMSCAN_POLICY, ~/.config/smscan/policy.toml, "
                                 "/etc/smscan/policy.toml, or the built-in defaults)")


def language_of(args: argparse.Namespace) -> str:
    from scanner.i18n import default_language, parse_language

    return parse_language(args.lang) if getattr(args, "lang", None) else default_language()


def policy_of(args: argparse.Namespace):
    from scanner.policy import load_policy

    policy = load_policy(getattr(args, "policy", None))
    consent = getattr(args, "consent", None)
    return policy.with_consent(consent) if consent else policy
