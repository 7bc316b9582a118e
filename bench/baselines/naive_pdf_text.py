"""Baseline: every page's text layer with PyMuPDF's get_text(), and a regex for markings."""

import re
import sys

import pymupdf

found = False
with pymupdf.open(sys.argv[1]) as document:
    for page in document:
        found |= bool(re.search(r"PROTECTED|PROT[EÉ]G[EÉ]|CONFIDENTIAL|SECRET", page.get_text()))
print(found)
