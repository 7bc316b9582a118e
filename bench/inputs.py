"""The files `make bench` measures, written into a folder by a process of their own: composing a
12 MP picture would otherwise raise the benchmark's own peak memory, which Linux hands on to every
process it starts (a child's peak RSS starts from its parent's at fork and survives exec).

    python -m bench.inputs FOLDER
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# A real camera photo, 4272 x 2848 (12.2 MP), from Debian's lomiri-wallpapers-16.04 (make bench
# installs it): a smooth synthetic picture would flatter the Haar baseline, which rejects smooth
# regions early (0.23 s against 2.4 s on a real photo).
PHOTO = Path("/usr/share/backgrounds/sunset_by_Aitzol_Berasategi.jpg")


def write_inputs(folder: Path) -> None:
    from bench.batch import make_folder
    from samplegen.documents import BODY, encoded, memo_pdf, photo_like, render, scanned, scanned_pdf

    folder.mkdir(parents=True, exist_ok=True)
    dense = (BODY * 7)[:40]
    page = scanned(render(memo_pdf(dense, header="PROTECTED B", stamp="CONFIDENTIAL"), dpi=300))
    (folder / "scanned-a4-300dpi.png").write_bytes(encoded(page.convert("RGB"), "PNG"))
    for pages in (10, 200, 1000):
        (folder / f"report-{pages}.pdf").write_bytes(memo_pdf(header="PROTECTED B", pages=pages, marked_page=pages))
    (folder / "scanned-10.pdf").write_bytes(scanned_pdf(pages=10, marked_page=7))
    (folder / "tiny.png").write_bytes(encoded(photo_like(64, 48), "PNG"))
    if not PHOTO.is_file():
        raise SystemExit(f"{PHOTO} is missing: `make bench` installs Debian's lomiri-wallpapers-16.04")
    shutil.copyfile(PHOTO, folder / "photo-12mp.jpg")
    batch = folder / "batch"
    batch.mkdir(exist_ok=True)
    marked = make_folder(batch, 32)
    (folder / "batch-marked.txt").write_text("\n".join(sorted(marked)))
    dask_batch = folder / "dask-batch"
    dask_batch.mkdir(exist_ok=True)
    make_folder(dask_batch, 16)


if __name__ == "__main__":
    write_inputs(Path(sys.argv[1]))
