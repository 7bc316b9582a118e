"""Findings -> verdict, from a policy. Never looks at pixels.

The default level of every finding kind (and of some labels) comes from the checks'
declarations, each with its reason from the guideline; a policy file (TOML) overrides levels,
consent, limits and disabled checks. The file is validated strictly: an unknown table or key, a
value of the wrong type, an impossible limit, an unknown kind, label or check is refused with
its line and, where one is close, a suggestion. `smscan policy show` prints the effective
policy; `smscan policy check FILE` validates one.

A policy file is looked up in this order, the first found being used: `--policy FILE`,
$SMSCAN_POLICY, the user's config directory (`~/.config/smscan/policy.toml` on Linux), then
`/etc/smscan/policy.toml`.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from scanner.detectors import Registry, registry
from scanner.errors import PolicyError, RegistryError
from scanner.ingest.errors import IngestError
from scanner.ingest.limits import Limits
from scanner.messages import localised_reason
from scanner.model import FileReport, Finding, Verdict

SYSTEM_POLICY = Path("/etc/smscan/policy.toml")
_MIB = 2**20

# [limits] keys as people write them -> (Limits field, factor from the file's unit, description)
LIMIT_KEYS: dict[str, tuple[str, float, str]] = {
    "max_file_mb": ("max_file_bytes", _MIB, "largest file checked, in MiB"),
    "max_megapixels": ("max_pixels", 1e6, "largest image or rendered page, in megapixels (every frame and page)"),
    "max_pages": ("max_pages", 1, "pages, frames and container members' pages of one file"),
    "timeout_seconds": ("timeout_seconds", 1, "wall-clock seconds for one file, loading included"),
    "max_memory_mb": ("max_memory_bytes", _MIB, "memory of the worker process checking one file, in MiB"),
    "max_unpacked_mb": ("max_unpacked_bytes", _MIB, "everything one file unpacks to (Office, ZIP, e-mail), in MiB"),
    "max_depth": ("max_depth", 1, "how deep containers may nest"),
    "max_members": ("max_members", 1, "members counted across every level of a container"),
    "max_ratio": ("max_ratio", 1, "compression ratio of any member of 1 MiB or more (zip bombs)"),
}
_WHOLE_NUMBERS = {"max_pages", "max_depth", "max_members"}


@dataclass(frozen=True)
class Policy:
    levels: Mapping[str, float | None] = field(default_factory=dict)  # "kind" or "kind/label" overrides
    consent: frozenset[str] = frozenset()  # kinds the person sharing has consent for
    limits: Limits = field(default_factory=Limits)
    disabled: frozenset[str] = frozenset()  # checks switched off
    source: str = "built-in defaults"

    @classmethod
    def default(cls) -> Policy:
        return cls()

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as error:
            raise PolicyError(f"cannot read policy {path}: {error.strerror or error}") from None
        except UnicodeDecodeError:
            raise PolicyError(f"policy {path} is not UTF-8 text") from None
        return cls.from_toml(text, str(path))

    @classmethod
    def from_toml(cls, text: str, source: str = "policy") -> Policy:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise PolicyError(f"{source}: not valid TOML: {error}") from None
        return _from_data(data, text, source)

    def with_consent(self, words: Iterable[str]) -> Policy:
        """The policy with consent for more kinds, as people type them ("faces")."""
        known = registry()
        kinds = set()
        for word in words:
            try:
                kinds.add(known.kind(word).name)
            except RegistryError as error:
                raise PolicyError(f"--consent: {error}") from None
        return replace(self, consent=self.consent | frozenset(kinds))

    def level(self, kind: str, label: str) -> float | None:
        """The confidence from which a finding blocks (None: never). An undeclared kind blocks at
        any confidence: a check nobody declared was not reviewed, so it fails closed."""
        for key in (f"{kind}/{label}", kind):
            if key in self.levels:
                return self.levels[key]
        spec = registry().kinds.get(kind)
        if spec is None:
            return 0.0
        default = spec.label_levels.get(label, spec.default)
        return default.block_at

    def blocks(self, finding: Finding) -> bool:
        if finding.kind in self.consent:
            return False
        threshold = self.level(finding.kind, finding.label)
        return threshold is not None and finding.confidence >= threshold

    def decide(self, findings: tuple[Finding, ...], error: str | None) -> tuple[Verdict, tuple[Finding, ...]]:
        """The verdict and the findings that caused it. A file that could not be checked blocks."""
        blocking = tuple(f for f in findings if self.blocks(f))
        verdict = Verdict.BLOCK if error or blocking else Verdict.PASS
        return verdict, blocking

    def unchecked(self, shown: str, error: IngestError) -> FileReport:
        """The report of a file that could not be (fully) checked: blocked, saying why."""
        text = str(error)
        verdict, _ = self.decide((), text)
        return FileReport(path=shown, verdict=verdict, error=text, consent=tuple(sorted(self.consent)),
                          reason=localised_reason((), error.localised()))

    def identity(self) -> list[Any]:
        """What of the policy decides a report: part of the report cache's key."""
        return [sorted(self.levels.items(), key=lambda kv: kv[0]), sorted(self.consent),
                [getattr(self.limits, f.name) for f in fields(self.limits)], sorted(self.disabled)]


def policy_toml(policy: Policy) -> str:
    """The effective policy as a TOML file, each default with its reason: `smscan policy show`."""
    known = registry()
    lines = [f"# smscan policy in effect (from {policy.source}).",
             "# [block]: the confidence (0 to 1) from which a finding of a kind, or of one kind/label, blocks;",
             "# false: reported, never blocking.", "[block]"]
    for kind in known.kinds.values():
        defaults = {kind.name: kind.default}
        defaults |= {f"{kind.name}/{label}": level for label, level in kind.label_levels.items()}
        overridden = [key for key in policy.levels if key.partition("/")[0] == kind.name and key not in defaults]
        for key in [*defaults, *overridden]:
            if key in policy.levels:
                lines.append(f"{_toml_key(key)} = {_written(policy.levels[key])}  # set by {policy.source}")
            else:
                lines.append(f"{_toml_key(key)} = {_written(defaults[key].block_at)}  # {defaults[key].why}")
    consent = ", ".join(f'"{kind}"' for kind in sorted(policy.consent))
    lines += ["", "# Kinds the person sharing has consent for: still reported, never blocking.", "[consent]",
              f"kinds = [{consent}]", "",
              "# Fail closed: a file beyond a limit is blocked unchecked, with the limit named.", "[limits]"]
    for key, (field_name, factor, description) in LIMIT_KEYS.items():
        lines.append(f"{key} = {getattr(policy.limits, field_name) / factor:g}  # {description}")
    disabled = ", ".join(f'"{name}"' for name in sorted(policy.disabled))
    lines += ["", f"# Checks: {', '.join(known.checks)}.", "[detectors]", f"disabled = [{disabled}]", ""]
    return "\n".join(lines)


def _written(level: float | None) -> str:
    return "false" if level is None else f"{level:g}"


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'


def find_policy_file(given: str | Path | None) -> Path | None:
    """The policy file to use: the one given, $SMSCAN_POLICY, the user's, the system's, or none."""
    if given:
        return Path(given)
    if os.environ.get("SMSCAN_POLICY"):
        return Path(os.environ["SMSCAN_POLICY"])
    for candidate in (_user_policy(), SYSTEM_POLICY):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def _user_policy() -> Path | None:
    try:
        import platformdirs
    except ImportError:
        return None
    return Path(platformdirs.user_config_dir("smscan")) / "policy.toml"


def load_policy(given: str | Path | None = None) -> Policy:
    path = find_policy_file(given)
    return Policy.load(path) if path is not None else Policy.default()


# --- validation ------------------------------------------------------------------------


def _from_data(data: dict[str, Any], text: str, source: str) -> Policy:
    from pydantic import ValidationError

    from scanner.policy_schema import PolicyFile

    try:
        parsed = PolicyFile.model_validate(data)
    except ValidationError as error:
        raise PolicyError(_explained(error, text, source)) from None
    known = registry()
    levels = {_level_key(key, known, text, source): (None if value is False else float(value))
              for key, value in parsed.block.items()}
    consent = frozenset(_kind(word, known, "consent", "kinds", text, source) for word in parsed.consent.kinds)
    disabled = frozenset(_check(word, known, text, source) for word in parsed.detectors.disabled)
    limits = Limits(**{LIMIT_KEYS[key][0]: _limit_value(key, value)
                       for key, value in parsed.limits.model_dump().items()})
    return Policy(levels, consent, limits, disabled, source)


def _limit_value(key: str, value: float) -> float | int:
    field_name, factor, _ = LIMIT_KEYS[key]
    scaled = value * factor
    return float(scaled) if field_name in ("timeout_seconds", "max_ratio") else int(scaled)


def _level_key(key: str, known: Registry, text: str, source: str) -> str:
    kind_word, _, label = key.partition("/")
    kind = known.kinds.get(_kind(kind_word, known, "block", key, text, source))
    assert kind is not None
    close = difflib.get_close_matches(label, kind.labels, n=1, cutoff=0.8) if label else []
    # A kind whose labels are open (logos: any artwork a user adds) still refuses a near miss.
    if label and label not in kind.labels and (not kind.open_labels or close):
        hint = f"; did you mean '{kind.name}/{close[0]}'?" if close else ""
        raise PolicyError(f"{_where(text, source, 'block', key)}unknown label {label!r} of kind {kind.name!r}{hint} "
                          f"(known: {', '.join(kind.labels)})")
    return f"{kind.name}/{label}" if label else kind.name


def _kind(word: str, known: Registry, table: str, key: str, text: str, source: str) -> str:
    try:
        return known.kind(word).name
    except RegistryError as error:
        raise PolicyError(f"{_where(text, source, table, key, word)}{error}") from None


def _check(word: str, known: Registry, text: str, source: str) -> str:
    try:
        return known.check(word).name
    except RegistryError as error:
        raise PolicyError(f"{_where(text, source, 'detectors', 'disabled', word)}{error}") from None


def _explained(error: Any, text: str, source: str) -> str:
    """The first problem pydantic found, as one line a person can act on."""
    from scanner.policy_schema import allowed_keys

    problem = error.errors()[0]
    location = [str(part) for part in problem["loc"] if not str(part).startswith(("constrained", "literal"))]
    table, key = [*location, "", ""][:2]
    where = _where(text, source, table, key)
    if problem["type"] == "extra_forbidden":
        allowed = allowed_keys(location[:-1])
        close = difflib.get_close_matches(location[-1], allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        what = f"[{table}] " if len(location) > 1 else ""
        return f"{where}unknown {'key' if len(location) > 1 else 'table'} {what}{location[-1]!r}{hint} " \
               f"(allowed: {', '.join(allowed)})"
    shown = ".".join(location)
    if table == "block":
        return f"{where}[block] {key!r} must be a confidence from 0 to 1, or false (got {problem['input']!r})"
    if table == "limits" and key in LIMIT_KEYS:
        kind = "a whole number" if key in _WHOLE_NUMBERS else "a number"
        return f"{where}[limits] {key} must be {kind} greater than zero (got {problem['input']!r})"
    return f"{where}{shown}: {problem['msg'].lower()} (got {problem['input']!r})"


def _where(text: str, source: str, table: str, key: str = "", value: str | None = None) -> str:
    """'policy.toml line 7: ' for the key in its table (or the table header), as best as the text tells."""
    line = _line_of(text, table, key, value)
    return f"{source} line {line}: " if line else f"{source}: "


def _line_of(text: str, table: str, key: str, value: str | None) -> int | None:
    current = ""
    header_line = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        header = re.fullmatch(r"\[\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1).strip().strip('"')
            if current == table and header_line is None:
                header_line = number
            continue
        if current == table and key:
            name = line.split("=", 1)[0].strip().strip('"').strip("'")
            if name == key and (value is None or value in line):
                return number
    return header_line
