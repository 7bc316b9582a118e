"""`smscan setup templates`: install the official GC artwork the logo check compares against.

The artwork is the GC Design System's signature and wordmark SVGs (MIT), from the npm package
pinned below, fetched with the npm client (the registry's ordinary client; smscan downloads
nothing itself), checked against a measured SHA-256 and written to a template folder
(scanner.detectors.logo.templates.install_dir). Idempotent: nothing is fetched when the files
are there.

Without npm, or when the registry cannot be reached, it stops within seconds with one line
saying why and what the logo check will miss (SetupError, exit 69): npm's own retries would wait
72 s, and an unreachable registry that drops packets would hang for npm's 5-minute fetch timeout.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scanner.detectors.logo.locations import WITHOUT_TEMPLATES, install_dir, missing_official, template_dir
from scanner.errors import SetupError

PACKAGE = "@gcds-core/components@1.3.1"
TARBALL = "gcds-core-components-1.3.1.tgz"
TARBALL_SHA256 = "791c5d55278dc3bfeb6bb07d27eb9e4b639421a682c70da629b9e3bd93836d4b"
ASSETS = "package/dist/collection/components/gcds-signature/assets"
# One attempt, 20 s to answer (the 1.5 MB tarball comes in about 1 s here); npm's cache first,
# so a second install or an offline machine that fetched it once needs no network.
NPM_OPTIONS = ("--prefer-offline", "--fetch-retries=0", "--fetch-timeout=20000", "--loglevel=error")
NPM_DEADLINE = 60  # seconds; a hang guard beyond npm's own timeout


@dataclass(frozen=True)
class Installed:
    folder: Path
    fetched: tuple[str, ...]  # empty: everything was there already


def install_templates(folder: Path | None = None, system: bool = False) -> Installed:
    """Into `folder`, or the system's data folder, or (neither given) the user's, unless a folder
    smscan reads already has them all."""
    if folder is None and not system and not missing_official():
        return Installed(template_dir(), ())
    folder = folder or install_dir(system)
    missing = missing_official([folder])
    if not missing:
        return Installed(folder, ())
    with tempfile.TemporaryDirectory(prefix="smscan-templates-") as work:
        tarball = _packed(Path(work))
        _check_sum(tarball)
        _extract(tarball, folder, missing)
    return Installed(folder, tuple(missing))


def _fail(reason: str) -> SetupError:
    return SetupError(f"logo templates not installed: {reason}; {WITHOUT_TEMPLATES}")


def _packed(work: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise _fail("npm, which fetches them, is not installed (Debian: apt-get install npm)")
    try:
        result = subprocess.run([npm, "pack", PACKAGE, *NPM_OPTIONS], cwd=work, capture_output=True, text=True,
                                timeout=NPM_DEADLINE, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise _fail(f"npm did not fetch {PACKAGE} within {NPM_DEADLINE} s") from None
    tarball = work / TARBALL
    if result.returncode != 0 or not tarball.is_file():
        raise _fail(f"npm could not fetch {PACKAGE}: {npm_reason(result.stderr)}")
    return tarball


def npm_reason(stderr: str) -> str:
    """The one line of npm's error output a person can act on."""
    lines = [line.removeprefix("npm error").strip() for line in stderr.splitlines()]
    for line in lines:
        if "reason:" in line:
            return line.split("reason:", 1)[1].strip()
    for line in lines:
        if line.startswith("code "):
            return line
    return next((line for line in reversed(lines) if line), "no reason given")


def _check_sum(tarball: Path) -> None:
    actual = hashlib.sha256(tarball.read_bytes()).hexdigest()
    if actual != TARBALL_SHA256:
        raise _fail(f"{TARBALL} has SHA-256 {actual}, expected {TARBALL_SHA256}")


def _extract(tarball: Path, folder: Path, names: list[str]) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball) as archive:
            for name in names:
                member = archive.extractfile(f"{ASSETS}/{name}")
                if member is None:
                    raise _fail(f"{name} is not in {TARBALL}")
                partial = folder / f".{name}.partial"
                partial.write_bytes(member.read())
                partial.replace(folder / name)
    except KeyError as error:
        raise _fail(f"{error.args[0]} is not in {TARBALL}") from None
    except (OSError, tarfile.TarError) as error:
        raise _fail(f"cannot write to {folder}: {getattr(error, 'strerror', None) or error}") from None


def prepare_logo_check() -> None:
    """Render, draw and describe every template once into this user's cache (see
    scanner.detectors.logo.diskcache), so that the first check after installing does not pay for it
    (0.2-0.5 CPU s, measured)."""
    from scanner.detectors.logo.detector import LogoDetector

    LogoDetector()
