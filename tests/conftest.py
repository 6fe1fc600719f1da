import pytest
import torch

torch.set_num_threads(1)  # two busy threads on two shared cores spin-wait (design.md)


@pytest.fixture
def model_cache(tmp_path, monkeypatch):
    """A fresh, empty zoo cache for one test."""
    monkeypatch.setenv("UNIFIED_ATTRIBUTION_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("UNIFIED_ATTRIBUTION_PROGRESS", "0")
    return tmp_path / "cache"


#: The longest tests, started first: with two workers (pyproject's ``-n 2``) xdist hands out
#: tests round robin in collection order, so these begin at once on both workers and the
#: short tests fill in around them, instead of one long test ending the run alone.
SLOWEST_FIRST = (
    "test_every_notebook_executes_as_the_book_runs_it",
    "test_a_bundled_chapter_runs_in_a_fresh_virtual_environment",
    "test_a_chapter_run_twice_gives_identical_outputs",
    "test_grading_a_folder",
)


def pytest_collection_modifyitems(items):
    def rank(item):
        name = item.originalname or item.name
        return SLOWEST_FIRST.index(name) if name in SLOWEST_FIRST else len(SLOWEST_FIRST)

    items.sort(key=rank)  # stable: the rest keep their order
