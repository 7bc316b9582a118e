"""`smscan doctor`: what this installation has and lacks, each with the command that fixes it.

Required parts (without one, some check cannot run and scans stop or degrade): Tesseract with
its English, French and orientation data, the face model, the logo networks, the official logo
templates. Optional parts are for the project's own tests and for running as a service: Chromium
(the drop page's browser tests), Postfix (the mail gateway tests), npm (fetches the templates),
and a source address of your own (AGPL-3.0 section 13, scanner/version.py).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass

from scanner.version import LICENSE, __version__, source_url, source_url_is_placeholder

TESSERACT_FIX = "apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra"
LANGUAGES = ("eng", "fra", "osd")  # osd: turning sideways pages upright


@dataclass(frozen=True)
class Part:
    name: str
    ok: bool
    detail: str  # what was found, or what is missing and what that costs
    fix: str = ""  # the command that fixes it (empty when ok)
    required: bool = True

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def diagnose() -> list[Part]:
    checks: list[Callable[[], Part]] = [tesseract, language_data, face_model, logo_models, logo_templates,
                                        npm, chromium, postfix, source_address]
    return [check() for check in checks]


def healthy(parts: list[Part]) -> bool:
    """True when the scanner can run fully: nothing required is missing."""
    return all(part.ok for part in parts if part.required)


def heading() -> str:
    return f"smscan {__version__} ({LICENSE}); source: {source_url()}"


def report_lines(parts: list[Part]) -> list[str]:
    lines = [heading()]
    for part in parts:
        status = "ok" if part.ok else ("MISSING" if part.required else "missing (optional)")
        lines.append(f"  {status:<19} {part.name}: {part.detail}")
        if part.fix:
            lines.append(f"  {'':<19} fix: {part.fix}")
    missing = [p.name for p in parts if p.required and not p.ok]
    lines.append("smscan can run fully." if not missing else
                 f"smscan cannot run fully: {', '.join(missing)} missing.")
    return lines


# --- the parts ------------------------------------------------------------------------------


def tesseract() -> Part:
    try:
        import tesserocr
    except ImportError as error:
        return Part("Tesseract OCR", False, f"tesserocr cannot load ({error}): no text is read from pictures",
                    f"{TESSERACT_FIX}; then reinstall smscan")
    version = tesserocr.tesseract_version().split()[1]
    return Part("Tesseract OCR", True, f"Tesseract {version} through tesserocr {tesserocr.__version__}")


def language_data() -> Part:
    try:
        from scanner.ocr import OcrUnavailable, find_tessdata
    except ImportError:
        return Part("Tesseract language data", False, "not checked: Tesseract OCR cannot load", TESSERACT_FIX)
    try:
        folder = find_tessdata("+".join(LANGUAGES))
    except OcrUnavailable:
        where = os.environ.get("TESSDATA_PREFIX") or "the usual folders"
        return Part("Tesseract language data", False,
                    f"{', '.join(LANGUAGES)} not all found in {where}: markings and personal data in pictures "
                    "and scans go unread, so those files cannot be checked",
                    TESSERACT_FIX + (" (or unset TESSDATA_PREFIX)" if os.environ.get("TESSDATA_PREFIX") else ""))
    return Part("Tesseract language data", True, f"{', '.join(LANGUAGES)} in {folder}")


def face_model() -> Part:
    from scanner.detectors.face.weights import MODEL_PATH, MODEL_SHA256

    fix = "in a checkout: make model; otherwise install a wheel built with `make dist`"
    if not MODEL_PATH.is_file():
        return Part("face model", False, f"{MODEL_PATH} is missing: the face check cannot start", fix)
    actual = hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest()
    if actual != MODEL_SHA256:
        return Part("face model", False, f"{MODEL_PATH} is damaged (SHA-256 {actual[:12]}…, expected "
                                         f"{MODEL_SHA256[:12]}…)", fix)
    return Part("face model", True, f"CenterFace, SHA-256 checked, in {MODEL_PATH.parent}")


def logo_models() -> Part:
    from scanner.detectors.logo.learned import MODEL_DIR, damaged_networks

    damaged = damaged_networks()
    if damaged:
        return Part("logo models", False, f"{', '.join(damaged)} in {MODEL_DIR} missing or not the trained ones "
                                          "(SHA-256 against recipe.json): the logo check cannot start",
                    "reinstall smscan (the networks are in its wheel)")
    return Part("logo models", True, f"finder, verifier and judge, SHA-256 checked, in {MODEL_DIR}")


def logo_templates() -> Part:
    from scanner.detectors.logo.locations import WITHOUT_TEMPLATES, missing_official, template_dir, template_dirs

    missing = missing_official()
    if missing:
        searched = ", ".join(str(folder) for folder in template_dirs())
        return Part("logo templates", False,
                    f"{', '.join(missing)} not in {searched}: {WITHOUT_TEMPLATES}",
                    "smscan setup templates  (for a service: smscan setup templates --system)")
    return Part("logo templates", True, f"official GC artwork in {template_dir()}")


def npm() -> Part:
    found = shutil.which("npm")
    return Part("npm", found is not None,
                found or "not found: `smscan setup templates` needs it to fetch the logo templates",
                "" if found else "apt-get install npm", required=False)


def chromium() -> Part:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return Part("Chromium", found is not None, found or "not found: only the drop page's browser tests need it",
                "" if found else "apt-get install chromium  (make test does)", required=False)


def postfix() -> Part:
    found = shutil.which("postfix", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
    return Part("Postfix", found is not None, found or "not found: only the mail gateway tests need it",
                "" if found else "apt-get install postfix  (make test does, with no mail service set up)",
                required=False)


def source_address() -> Part:
    if source_url_is_placeholder():
        return Part("source address", False,
                    f"{source_url()} is a placeholder: before others use your drop page or mail gateway, say where "
                    "they get its source (AGPL-3.0 section 13)",
                    "set SMSCAN_SOURCE_URL, or SOURCE_URL in scanner/version.py", required=False)
    return Part("source address", True, source_url(), required=False)
