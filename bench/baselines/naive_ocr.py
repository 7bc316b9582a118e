"""Baseline: OCR a scanned page as a first version would, and look for markings with a regex."""

import re
import sys

import pytesseract
from PIL import Image

text = pytesseract.image_to_string(Image.open(sys.argv[1]), lang="eng+fra")
print(bool(re.search(r"PROTECTED|PROT[EÉ]G[EÉ]|CONFIDENTIAL|SECRET", text)))
