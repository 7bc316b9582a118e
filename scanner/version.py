"""The one place the version, the licence and the source address are written; pyproject.toml
reads the version from here."""

import os

__version__ = "0.2.0"
LICENSE = "AGPL-3.0-or-later"

# Where the people who use this copy can get its source code. smscan is AGPL-3.0-or-later (it
# links PyMuPDF, AGPL-3.0): whoever runs a modified copy as a network service (the drop page,
# the mail gateways) must offer its users the corresponding source (AGPL section 13). This is a
# placeholder: set it to your repository or source archive, here or with SMSCAN_SOURCE_URL when
# deploying. `smscan --version`, `smscan doctor` and the drop page show it.
SOURCE_URL = "https://example.invalid/smscan"


def source_url() -> str:
    return os.environ.get("SMSCAN_SOURCE_URL") or SOURCE_URL


def source_url_is_placeholder() -> bool:
    return source_url() == SOURCE_URL
