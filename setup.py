"""Everything about the package is in pyproject.toml. This file only refuses to build smscan
without its face model, which is put into the source tree at build time (`make model`, run by
`make install` and `make dist`; see tools/fetch_face_model.py): a wheel without it would install
fine and then fail on its first photo."""

from pathlib import Path

from setuptools import setup

MODEL = Path(__file__).resolve().parent / "scanner" / "detectors" / "face" / "data" / "centerface.onnx"

if not MODEL.is_file():
    raise SystemExit("smscan: the face model scanner/detectors/face/data/centerface.onnx is missing: "
                     "run `make model` first (make install and make dist do)")
setup()
