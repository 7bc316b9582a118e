"""Baseline: a scanned PDF rendered page by page at 200 dpi and read with pytesseract."""

import re
import sys

import pymupdf
import pytesseract
from PIL import Image

found = False
with pymupdf.open(sys.argv[1]) as document:
    for page in document:
        pixmap = page.get_pixmap(dpi=200)
        image = Image.frombytes("RGB", (pixmap.width, pixmap.height), pixmap.samples)
        found |= bool(re.search(r"PROTECTED|CONFIDENTIAL|SECRET", pytesseract.image_to_string(image, lang="eng+fra")))
print(found)
