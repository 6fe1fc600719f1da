import pytest
import torch

torch.set_num_threads(1)  # two busy threads on two shared cores spin-wait (design.md)


@pytest.fixture
def model_cache(tmp_path, monkeypatch):
    """A fresh, empty zoo cache for one test."""
    monkeypatch.setenv("UNIFIED_ATTRIBUTION_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("UNIFIED_ATTRIBUTION_PROGRESS", "0")
    return tmp_path / "cache"
