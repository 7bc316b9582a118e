import subprocess
import sys
from pathlib import Path

import pytest

from scanner.errors import PolicyError
from scanner.model import Finding, Verdict
from scanner.policy import Policy, find_policy_file, policy_toml

SMSCAN = str(Path(sys.executable).with_name("smscan"))


def finding(kind: str, label: str = "x", confidence: float = 0.9) -> Finding:
    return Finding(kind, label, confidence, 1, (0, 0, 10, 10))


def test_default_policy_blocks_each_kind_over_its_threshold():
    policy = Policy.default()
    for kind in ("marking", "logo", "face", "pii", "metadata", "conduct"):
        assert policy.blocks(finding(kind))
        assert not policy.blocks(finding(kind, confidence=0.1))


def test_a_kind_nobody_declared_blocks_at_any_confidence():
    assert Policy.default().blocks(finding("mystery", confidence=0.01))


def test_flag_photo_is_reported_but_does_not_block_by_default():
    assert not Policy.default().blocks(finding("logo", "canada-flag", 0.99))
    assert Policy.default().blocks(finding("logo", "gc-signature", 0.99))


def test_policy_file_overrides_and_keeps_the_rest(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('[block]\nface = false\n"logo/canada-flag" = 0.3\n[consent]\nkinds = ["pii"]\n'
                    "[limits]\nmax_pages = 3\n")
    policy = Policy.load(path)
    assert not policy.blocks(finding("face"))
    assert policy.blocks(finding("logo", "canada-flag", 0.4))
    assert policy.blocks(finding("marking"))
    assert not policy.blocks(finding("pii"))
    assert policy.limits.max_pages == 3
    assert policy.limits.timeout_seconds == Policy.default().limits.timeout_seconds


def test_consent_is_per_kind_and_errors_always_block():
    policy = Policy.default().with_consent({"faces"})
    verdict, blocking = policy.decide((finding("face"),), None)
    assert verdict is Verdict.PASS and blocking == ()
    verdict, _ = policy.decide((), "corrupt file")
    assert verdict is Verdict.BLOCK


def test_consent_in_the_file_takes_plurals_as_the_command_line_does():
    assert Policy.from_toml('[consent]\nkinds = ["faces"]').consent == frozenset({"face"})


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[block\nface=1", "not valid TOML"),
        ("[block]\nface = 2", "line 2: [block] 'face' must be a confidence from 0 to 1, or false"),
        ('[block]\nface = "yes"', "must be a confidence"),
        ("[block]\nface = true", "must be a confidence"),
        ("[limits]\nmax_pages='x'", "max_pages must be a whole number greater than zero"),
        ("[limits]\nmax_pages = -3", "line 2: [limits] max_pages must be a whole number greater than zero"),
        ("[limits]\ntimeout_seconds = 0", "timeout_seconds must be a number greater than zero"),
        ('[consent]\nkinds = "face"', "line 2: consent.kinds: input should be a valid list"),
        ('[detectors]\ndisabled = ["faces"]', "unknown check 'faces'; did you mean 'face'?"),
        ("[blok]\nface = 0.5", "line 1: unknown table 'blok'; did you mean 'block'?"),
        ("[limits]\nmax_pgaes = 3", "unknown key [limits] 'max_pgaes'; did you mean 'max_pages'?"),
        ("[block]\nfacse = 0.5", "unknown finding kind 'facse'; did you mean 'face'?"),
        ('[block]\n"logo/canada-flg" = false', "did you mean 'logo/canada-flag'?"),
        ('[block]\n"marking/protected-z" = 0.5', "unknown label 'protected-z'"),
    ],
)
def test_a_bad_policy_is_refused_with_its_line_and_a_suggestion(text, said):
    with pytest.raises(PolicyError) as refused:
        Policy.from_toml(text, "p.toml")
    assert said in str(refused.value)
    assert "\n" not in str(refused.value)


def test_artwork_a_user_adds_may_have_a_level_of_its_own():
    assert Policy.from_toml('[block]\n"logo/our-old-logo" = 0.7').level("logo", "our-old-logo") == 0.7


def test_consent_on_the_command_line_is_checked_too():
    with pytest.raises(PolicyError, match="did you mean 'faces'"):
        Policy.default().with_consent(["fcaes"])


def test_the_shown_policy_reads_back_as_the_same_policy():
    policy = Policy.from_toml('[block]\npii = 0.8\n"logo/canada-flag" = 0.4\n[limits]\nmax_pages = 9', "mine.toml")
    shown = policy_toml(policy)
    assert "pii = 0.8  # set by mine.toml" in shown and "face = 0.5  # 2.4:" in shown
    again = Policy.from_toml(shown)
    for kind, label in (("pii", "email"), ("logo", "canada-flag"), ("face", "face"), ("logo", "gc-signature")):
        assert again.level(kind, label) == policy.level(kind, label)
    assert again.limits == policy.limits


def test_policy_files_are_looked_up_where_users_expect(tmp_path, monkeypatch):
    config = tmp_path / "config"
    (config / "smscan").mkdir(parents=True)
    user = config / "smscan" / "policy.toml"
    user.write_text("[block]\npii = 0.9\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.delenv("SMSCAN_POLICY", raising=False)
    assert find_policy_file(None) == user
    monkeypatch.setenv("SMSCAN_POLICY", str(tmp_path / "env.toml"))
    assert find_policy_file(None) == tmp_path / "env.toml"
    assert find_policy_file(tmp_path / "given.toml") == tmp_path / "given.toml"


def test_policy_commands(tmp_path):
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text("[block]\nface = false\n")
    bad.write_text("[detectors]\ndisabled = ['fcaes']\n")
    assert subprocess.run([SMSCAN, "policy", "check", str(good)], capture_output=True).returncode == 0
    refused = subprocess.run([SMSCAN, "policy", "check", str(bad)], capture_output=True, text=True)
    assert refused.returncode == 78 and "did you mean 'face'" in refused.stderr
    shown = subprocess.run([SMSCAN, "policy", "show", "--policy", str(good)], capture_output=True, text=True)
    assert shown.returncode == 0 and "face = false  # set by" in shown.stdout
