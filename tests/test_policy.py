import pytest

from scanner.model import Finding, Verdict
from scanner.policy import Policy, PolicyError


def finding(kind: str, label: str = "x", confidence: float = 0.9) -> Finding:
    return Finding(kind, label, confidence, 1, (0, 0, 10, 10), "evidence", "2.6")


def test_default_policy_blocks_each_kind_over_its_threshold():
    policy = Policy.default()
    for kind in ("marking", "logo", "face", "pii", "metadata", "conduct"):
        assert policy.blocks(finding(kind))
        assert not policy.blocks(finding(kind, confidence=0.1))


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
    policy = Policy.default().with_consent({"face"})
    verdict, blocking = policy.decide((finding("face"),), None)
    assert verdict is Verdict.PASS and blocking == ()
    verdict, _ = policy.decide((), "corrupt file")
    assert verdict is Verdict.BLOCK


@pytest.mark.parametrize(
    "text", ["[block\nface=1", "[block]\nface = 2", '[block]\nface = "yes"', "[limits]\nmax_pages='x'"]
)
def test_bad_policy_is_a_clear_error(text):
    with pytest.raises(PolicyError):
        Policy.from_toml(text)
