"""A batch on a real Dask cluster, started as users start one: `dask scheduler` and two
`dask worker` processes on loopback (no in-process LocalCluster), one Scanner per worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from samplegen.documents import encoded, memo_pdf, photo_like, render, scanned
from samplegen.mail import docx, zipped
from samplegen.servers import dask_cluster
from scanner.engine.batch import Target, expand_paths, scan_many
from scanner.engine.dask import DaskUnavailable, scan_many_dask, worker_scanner_count
from scanner.policy import Policy

distributed = pytest.importorskip("distributed")
MARKINGS = ["marking"]


ROOT = Path(__file__).resolve().parents[1]
DASK = str(Path(sys.executable).with_name("dask"))


@pytest.fixture(scope="module")
def cluster_address(tmp_path_factory) -> Iterator[str]:
    """A real cluster of two one-thread workers, run from smscan's environment as the README says to
    provision them; here with this checkout first on the path, so they run the code under test."""
    with dask_cluster(tmp_path_factory.mktemp("dask"), 2, pythonpath=str(ROOT)) as address:
        yield address


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("batch")
    files = {
        "memo_marked.pdf": memo_pdf(header="PROTECTED B"),
        "memo_clean.pdf": memo_pdf(),
        "scan_marked.png": encoded(scanned(render(memo_pdf(header="CONFIDENTIAL"), dpi=150))),
        "landscape.jpg": encoded(photo_like(), "JPEG"),
        "note.docx": docx(["Draft", "SECRET"]),
        "bundle.zip": zipped({"a.png": encoded(photo_like(300, 200))}),
        "broken.pdf": b"%PDF-1.7\n not really",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def verdicts(reports) -> dict[str, tuple[str, bool]]:
    return {Path(r.path).name: (str(r.verdict), r.error is None) for r in reports}


def test_cluster_batch_matches_a_local_batch(cluster_address, batch):
    files = expand_paths([str(batch)])
    policy = Policy.default()
    remote = verdicts(scan_many_dask(files, policy, cluster_address, MARKINGS))
    local = verdicts(scan_many(files, policy, workers=1, detectors=MARKINGS))
    assert remote == local
    assert remote["memo_marked.pdf"] == ("block", True) and remote["broken.pdf"] == ("block", False)
    assert remote["landscape.jpg"] == ("pass", True)


def test_workers_load_models_once_and_can_read_shared_paths(cluster_address, batch):
    files = expand_paths([str(batch)]) * 2
    reports = list(scan_many_dask(files, Policy.default(), cluster_address, MARKINGS, shared_filesystem=True))
    assert len(reports) == len(files)
    with distributed.Client(cluster_address) as client:
        counts = client.run(worker_scanner_count)
    assert len(counts) == 2 and set(counts.values()) == {1}  # one Scanner per worker, reused


def test_unreadable_file_is_reported_not_sent(cluster_address, tmp_path):
    missing = tmp_path / "gone.pdf"
    (report,) = scan_many_dask([Target(missing, "gone.pdf")], Policy.default(), cluster_address, MARKINGS)
    assert report.blocked and report.error == "no such file"


def test_unreachable_scheduler_is_one_clear_error(tmp_path):
    from samplegen.servers import free_port

    with pytest.raises(DaskUnavailable, match="cannot reach the Dask scheduler"):
        list(scan_many_dask([(tmp_path / "x.pdf", "x.pdf")], Policy.default(), f"tcp://127.0.0.1:{free_port()}",
                           connect_timeout=2))


def test_command_line_batch_on_the_cluster(cluster_address, batch):
    policy = batch.parent / "markings.toml"
    policy.write_text('[detectors]\ndisabled = ["face", "logo", "pii", "metadata", "conduct"]\n')
    result = subprocess.run(
        [str(Path(sys.executable).with_name("smscan")), str(batch), "--json", "--dask", cluster_address,
         "--policy", str(policy)],
        capture_output=True, text=True, timeout=600, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    reports = {Path(o["path"]).name: o["verdict"] for o in map(json.loads, result.stdout.splitlines())}
    assert result.returncode == 2  # broken.pdf could not be checked
    assert reports["memo_marked.pdf"] == "block" and reports["memo_clean.pdf"] == "pass"
    assert len(reports) == 7
