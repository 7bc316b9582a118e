"""Findings -> verdict, from a TOML policy. Never looks at pixels."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from scanner.ingest.limits import Limits
from scanner.model import Finding, Verdict


class PolicyError(ValueError):
    pass


@dataclass(frozen=True)
class Policy:
    thresholds: dict[str, float | None]  # "kind" or "kind/label" -> min confidence; None never blocks
    consent: frozenset[str] = frozenset()
    limits: Limits = field(default_factory=Limits)
    disabled: frozenset[str] = frozenset()

    @classmethod
    def default(cls) -> Policy:
        return cls.from_toml((files("scanner") / "default_policy.toml").read_text("utf-8"))

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as error:
            raise PolicyError(f"cannot read policy {path}: {error.strerror}") from None
        return cls.from_toml(text, base=cls.default())

    @classmethod
    def from_toml(cls, text: str, base: Policy | None = None) -> Policy:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise PolicyError(f"policy is not valid TOML: {error}") from None
        thresholds = dict(base.thresholds) if base else {}
        thresholds.update({key: _threshold(key, value) for key, value in data.get("block", {}).items()})
        limits = _limits(data.get("limits", {}), base.limits if base else Limits())
        consent = data.get("consent", {}).get("kinds", sorted(base.consent) if base else [])
        disabled = data.get("detectors", {}).get("disabled", sorted(base.disabled) if base else [])
        return cls(thresholds, frozenset(consent), limits, frozenset(disabled))

    def with_consent(self, kinds: set[str] | frozenset[str]) -> Policy:
        return Policy(self.thresholds, self.consent | frozenset(kinds), self.limits, self.disabled)

    def blocks(self, finding: Finding) -> bool:
        if finding.kind in self.consent:
            return False
        key = f"{finding.kind}/{finding.label}"
        threshold = self.thresholds[key] if key in self.thresholds else self.thresholds.get(finding.kind)
        return threshold is not None and finding.confidence >= threshold

    def decide(self, findings: tuple[Finding, ...], error: str | None) -> tuple[Verdict, tuple[Finding, ...]]:
        """The verdict and the findings that caused it. A file that could not be checked blocks."""
        blocking = tuple(f for f in findings if self.blocks(f))
        verdict = Verdict.BLOCK if error or blocking else Verdict.PASS
        return verdict, blocking


def _threshold(key: str, value: Any) -> float | None:
    if value is False:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise PolicyError(f"policy [block] {key!r} must be a confidence from 0 to 1, or false")
    return float(value)


def _limits(data: dict[str, Any], base: Limits) -> Limits:
    try:
        return Limits(
            max_file_bytes=int(data.get("max_file_mb", base.max_file_bytes / 2**20) * 2**20),
            max_pixels=int(data.get("max_megapixels", base.max_pixels / 1e6) * 1e6),
            max_pages=int(data.get("max_pages", base.max_pages)),
            timeout_seconds=float(data.get("timeout_seconds", base.timeout_seconds)),
            max_unpacked_bytes=int(data.get("max_unpacked_mb", base.max_unpacked_bytes / 2**20) * 2**20),
            max_depth=int(data.get("max_depth", base.max_depth)),
            max_members=int(data.get("max_members", base.max_members)),
            max_ratio=float(data.get("max_ratio", base.max_ratio)),
        )
    except (TypeError, ValueError):
        raise PolicyError("policy [limits] values must be numbers") from None
