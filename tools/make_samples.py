"""Write the demo files in samples/: every one drawn by our own code (no third-party files)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image

from samplegen.documents import BODY, encoded, image_pdf, memo_pdf, photo_like, render, scanned
from samplegen.mail import docx
from tests.logo_cases import Distortion, compose, statcan_artwork

PROSE = [*BODY, "All information you provide is kept confidential under the law."]


def samples() -> dict[str, bytes]:
    return {
        "block_memo_protected_b.png": encoded(scanned(render(memo_pdf(header="PROTECTED B / PROTÉGÉ B"), dpi=150),
                                                      noise=0)),
        "block_report_embargo.pdf": memo_pdf(title="Labour Force Survey, draft", pages=4, marked_page=3,
                                             header="EMBARGOED UNTIL 8:30 A.M. EASTERN TIME"),
        "block_scan_stamp_confidential.pdf": image_pdf(scanned(render(memo_pdf(stamp="CONFIDENTIAL")))),
        "pass_memo_unclassified.pdf": memo_pdf(PROSE, header="UNCLASSIFIED / NON CLASSIFIÉ"),
        "pass_landscape.jpg": encoded(photo_like(1600, 1000), "JPEG", quality=85),
        "block_poster_statcan_signature.jpg": encoded(_poster(), "JPEG", quality=85),
        "block_note_secret.docx": docx(["Notes for the briefing", "SECRET"], creator="Jane Analyst"),
        "pass_note.docx": docx(["Notes for the briefing", "The tables are attached."]),
    }


def _poster() -> Image.Image:
    """Our own drawing of the Statistics Canada signature, on a photo-like wall, turned and tilted."""
    return Image.fromarray(compose(statcan_artwork(), Distortion(width_fraction=0.3, angle=8, tilt=0.1)))


def main(folder: str) -> None:
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for name, data in samples().items():
        (target / name).write_bytes(data)
        print(f"wrote {target / name}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "samples")
