"""Where the logo templates are, and whether the official ones are there: light (no image library), so
that a scan can say templates are missing without loading the logo check.

Template folders hold the official SVGs that `smscan setup templates` installs and any PNG/SVG a
user drops there. They are looked for in SMSCAN_LOGO_TEMPLATES alone when it is set; otherwise in
a source checkout's `templates/logos/`, then the user's data folder, then the system's
(platformdirs: ~/.local/share/smscan/logos, /usr/local/share/smscan/logos, /usr/share/smscan/logos
on Linux). A file name found in two folders is taken from the first.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "smscan"
_SOURCE_ROOT = Path(__file__).resolve().parents[3]
OFFICIAL_SVGS = ("sig-blk-en", "sig-blk-fr", "wmms-spl-en", "wmms-spl-fr")


def template_dirs() -> list[Path]:
    """Where templates are looked for, first first (see the module's docstring)."""
    chosen = os.environ.get("SMSCAN_LOGO_TEMPLATES")
    if chosen:
        return [Path(chosen)]
    folders = []
    if (_SOURCE_ROOT / "pyproject.toml").is_file():  # a checkout, not site-packages
        folders.append(_SOURCE_ROOT / "templates" / "logos")
    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False, multipath=True)
    folders.append(Path(dirs.user_data_dir) / "logos")
    folders += [Path(site) / "logos" for site in dirs.site_data_dir.split(os.pathsep) if site]
    return folders


def install_dir(system: bool = False) -> Path:
    """Where `smscan setup templates` puts the official artwork: SMSCAN_LOGO_TEMPLATES when set,
    else the user's data folder, or with `system` the first system one (for services)."""
    chosen = os.environ.get("SMSCAN_LOGO_TEMPLATES")
    if chosen:
        return Path(chosen)
    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
    return Path(dirs.site_data_dir if system else dirs.user_data_dir) / "logos"


def template_dir() -> Path:
    """The folder holding the official templates (the first that has them all), else where they go."""
    folders = template_dirs()
    return next((f for f in folders if not missing_official([f])), install_dir())


def missing_official(folders: list[Path] | None = None) -> list[str]:
    """Official SVGs in none of the template folders."""
    folders = template_dirs() if folders is None else folders
    names = [f"{n}.svg" for n in OFFICIAL_SVGS]
    return [name for name in names if not any((folder / name).is_file() for folder in folders)]


# What the logo check misses without the official artwork. Measured with SMSCAN_LOGO_TEMPLATES
# pointing at an empty folder (python tools/logo/evaluate.py): the validation set 223/240 logos
# found instead of 225/240, 135 of them named for what they are instead of 169 (the GC signature is
# then a departmental signature); ../shared dev 58/58 and real 17/19 either way (measured before).
WITHOUT_TEMPLATES = (
    "without them the logo check finds corporate symbols by its trained models alone and names the Government "
    "of Canada signature only as a departmental signature (on composed samples 223 of 240 logos found instead "
    "of 225)"
)
MISSING_TEMPLATES_WARNING = "official logo templates are missing ({names}): {without}; run `smscan setup templates`"


def missing_templates_warnings() -> tuple[str, ...]:
    missing = missing_official()
    return (MISSING_TEMPLATES_WARNING.format(names=", ".join(missing), without=WITHOUT_TEMPLATES),) if missing else ()
