"""Property tests of the readers with Hypothesis: whatever bytes come after a format's magic
number, sniffing never raises, the framing checks raise only IngestError, and `load` raises only
IngestError (a reason in words), never a library's exception."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.ingest import IngestError, load, sniff
from scanner.ingest.structure import check_complete
from tools.fuzz import seeds
from tools.fuzz.run import unusable_reason

MAGIC = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBPVP8 ", b"II*\x00",
         b"MM\x00*", b"BM", b"%PDF-1.7\n", b"PK\x03\x04", b"<svg xmlns='http://www.w3.org/2000/svg'>",
         b"From: a@example.org\nSubject: x\n\n"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INTACT = {seed.kind: seed.data for seed in seeds.composed()}


@SETTINGS
@given(st.sampled_from(MAGIC), st.binary(max_size=2048))
def test_sniff_never_raises(magic, rest):
    assert sniff(magic + rest) in {None, "pdf", "png", "jpeg", "gif", "webp", "tiff", "bmp", "heif", "svg", "ooxml",
                                   "zip", "eml"}


@SETTINGS
@given(st.sampled_from(["png", "jpeg", "gif", "webp"]), st.data())
def test_framing_checks_raise_only_ingest_errors(kind, data):
    intact = INTACT[kind]
    cut = data.draw(st.integers(0, len(intact)))
    noise = data.draw(st.binary(max_size=64))
    try:
        check_complete(intact[:cut] + noise, kind)
    except IngestError as error:
        assert not unusable_reason(str(error))


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's notes on damaged TIFF tags go to stderr
@SETTINGS
@given(st.sampled_from(MAGIC), st.binary(max_size=4096))
def test_load_raises_only_a_readable_ingest_error(magic, rest):
    try:
        document = load(magic + rest, "file")
    except IngestError as error:
        assert not unusable_reason(str(error)), str(error)
        return
    for page in document.pages:
        try:
            _ = page.rgb
        except IngestError as error:
            assert not unusable_reason(str(error)), str(error)


@pytest.mark.parametrize("kind", ["png", "jpeg", "gif", "webp"])
def test_an_intact_file_passes_its_framing_check(kind):
    check_complete(INTACT[kind], kind)
