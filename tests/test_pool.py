"""The worker pool's hard limits, with a plug-in check that sleeps, eats memory or crashes inside a real
worker process: each file is blocked with a reason, the worker is replaced, the next file is checked."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scanner.engine.pool import WorkerPool
from scanner.policy import Policy
from tests.plugin_package import installed, write_plugin

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def plugin(tmp_path_factory):
    folder = write_plugin(tmp_path_factory.mktemp("plugin"))
    with installed(folder):
        yield folder


@pytest.fixture
def picture(tmp_path) -> bytes:
    path = tmp_path / "p.png"
    Image.fromarray(np.full((48, 64, 3), 200, np.uint8)).save(path)
    return path.read_bytes()


def pool_with(plugin: Path, monkeypatch, behaviour: str, limits: str = "") -> WorkerPool:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(plugin), str(ROOT)]))
    monkeypatch.setenv("SAUCE", behaviour)
    policy = Policy.from_toml(f"[limits]\n{limits}\n")
    return WorkerPool(policy, workers=1, detectors=["sauce"])


def test_a_file_that_runs_past_the_time_limit_is_blocked_and_the_next_is_checked(plugin, monkeypatch, picture):
    with pool_with(plugin, monkeypatch, "sleep", "timeout_seconds = 1") as pool:
        started = time.monotonic()
        report = pool.submit_bytes(picture, "slow.png", "slow.png").result(timeout=120)
        waited = time.monotonic() - started
        assert report.blocked and not report.checked and "timed out after 1 s" in report.error
        assert "délai dépassé" in report.reason["fr"]
        assert waited < 60  # the worker was killed, not waited for (start-up included)
        monkeypatch.setenv("SAUCE", "find")  # the replacement worker starts with this
        again = pool.submit_bytes(picture, "next.png", "next.png").result(timeout=120)
        assert again.checked and again.findings[0].kind == "sauce"


def test_a_job_of_several_scans_gets_a_time_limit_for_each(plugin, monkeypatch, picture):
    """The drop page's shareable copy scans the upload and its copies in one job."""
    from scanner.engine.pool import Job

    with pool_with(plugin, monkeypatch, "nap", "timeout_seconds = 1") as pool:
        one = pool.submit(Job("one.png", data=picture, filename="one.png")).result(timeout=120).report
        assert not one.checked and "timed out after 1 s" in one.error  # 5 s against 1 s and the grace
        six = pool.submit(Job("six.png", data=picture, filename="six.png", scans=6)).result(timeout=120).report
        assert six.checked, six.error  # 5 s against 6 s and the grace


def test_a_file_that_needs_too_much_memory_is_blocked(plugin, monkeypatch, picture):
    with pool_with(plugin, monkeypatch, "eat", "max_memory_mb = 400") as pool:
        report = pool.submit_bytes(picture, "big.png", "big.png").result(timeout=120)
    assert report.blocked and "needed more than 400 MiB of memory" in report.error


def test_a_worker_that_crashes_blocks_its_file_only(plugin, monkeypatch, picture):
    with pool_with(plugin, monkeypatch, "crash") as pool:
        report = pool.submit_bytes(picture, "boom.png", "boom.png").result(timeout=120)
        assert report.blocked and "stopped unexpectedly (signal SIGSEGV)" in report.error
        monkeypatch.setenv("SAUCE", "raise")
        raised = pool.submit_bytes(picture, "spill.png", "spill.png").result(timeout=120)
    assert raised.blocked and "the sauce check failed on page 1: the sauce spilled" in raised.error


def test_queued_files_know_their_place_and_are_not_lost_on_close(plugin, monkeypatch, picture):
    pool = pool_with(plugin, monkeypatch, "sleep", "timeout_seconds = 30")
    first = pool.submit_bytes(picture, "1.png", "1.png")
    waiting = [pool.submit_bytes(picture, f"{n}.png", f"{n}.png") for n in (2, 3)]
    deadline = time.monotonic() + 60
    while pool.busy == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool.queued_ahead(waiting[0]) == 0 and pool.queued_ahead(waiting[1]) == 1
    assert pool.queued_ahead(first) is None and pool.waiting == 2
    pool.close()
    for future in (first, *waiting):
        report = future.result(timeout=30)
        assert report.blocked and "smscan was stopping" in report.error
