import pytest
import torch

torch.set_num_threads(1)  # two busy threads on two shared cores spin-wait (design.md)


@pytest.fixture
def model_cache(tmp_path, monkeypatch):
    """A fresh, empty zoo cache for one test."""
    monkeypatch.setenv("UNIFIED_ATTRIBUTION_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("UNIFIED_ATTRIBUTION_PROGRESS", "0")
    return tmp_path / "cache"


#: The longest test first and the next longest last. pyproject runs ``-n 2 --dist worksteal``:
#: xdist gives the first half of the collection to one worker and the second half to the
#: other, and a worker that runs out takes tests still queued on the other. So the notebook
#: executions start at once on one worker, the other slow tests end the other worker's half,
#: and the short tests queued behind the notebooks move to the worker that is free.
FIRST = "test_every_notebook_executes_as_the_book_runs_it"
LAST = (
    "test_a_bundled_chapter_runs_in_a_fresh_virtual_environment",
    "test_a_chapter_run_twice_gives_identical_outputs",
    "test_grading_a_folder",
)


def pytest_collection_modifyitems(items):
    def rank(item):
        name = item.originalname or item.name
        return 0 if name == FIRST else 2 if name in LAST else 1

    items.sort(key=rank)  # stable: the rest keep their order
