"""Where the face model is and what it must hash to. Nothing heavy is imported here, so the build
step that puts the model in place (tools/fetch_face_model.py) runs before smscan's dependencies
are installed, and `smscan doctor` checks it without loading OpenCV."""

from pathlib import Path

MODEL_PATH = Path(__file__).with_name("data") / "centerface.onnx"
# Checked when the model is put in place and by `smscan doctor`, not on every start.
MODEL_SHA256 = "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc"
