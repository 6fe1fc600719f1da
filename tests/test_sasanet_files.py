"""A saved SASANet survives what real processes do to files: a writer killed in the middle of
a save, and a reader loading while another process saves (SASANet.save writes a temporary
file and replaces; unified_attribution.sasanet.persistence)."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from attribution_book import data
from unified_attribution.sasanet import SASANet

# a process that saves the model at argv[1] to argv[2] again and again, until killed
SAVER = """
import sys
from unified_attribution.sasanet import SASANet
model = SASANet.load(sys.argv[1])
print("saving", flush=True)
while True:
    model.save(sys.argv[2])
"""


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    ds = data.load("wine")
    model = SASANet("multiclass", epochs=1, width=16, layers=1, heads=2, seed=0)
    model.fit(ds.X_train, ds.y_train, ds.X_val, ds.y_val)
    path = tmp_path_factory.mktemp("saved") / "wine.pt"
    model.save(path)
    return path, model.decision_function(ds.X_test[:5]), ds.X_test[:5]


def _saver(source, target):
    process = subprocess.Popen(
        [sys.executable, "-c", SAVER, str(source), str(target)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "saving"  # the first save has begun
    return process


@pytest.mark.skipif(os.name != "posix", reason="kill -9 is a POSIX signal")
def test_a_writer_killed_mid_save_leaves_the_model_saved_before_intact(saved, tmp_path):
    source, expected, X = saved
    target = tmp_path / "model.pt"
    SASANet.load(source).save(target)  # the model saved before
    for delay in (0.05, 0.13, 0.31):  # kill at several points of the save loop
        process = _saver(source, target)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        np.testing.assert_array_equal(SASANet.load(target).decision_function(X), expected)


def test_a_reader_never_sees_half_a_saved_file(saved, tmp_path):
    source, expected, X = saved
    target = tmp_path / "model.pt"
    SASANet.load(source).save(target)
    process = _saver(source, target)
    try:
        loads = 0
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            np.testing.assert_array_equal(SASANet.load(target).decision_function(X), expected)
            loads += 1
    finally:
        process.kill()
        process.wait()
    assert loads > 0
