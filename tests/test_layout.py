"""The library and the book's package: the library never imports the book side, and the
book keeps one model cache."""

import logging
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import unified_attribution
from attribution_book import cache, sasanet_runs

LIBRARY = Path(unified_attribution.__file__).parent


def test_the_library_source_never_imports_the_book_package():
    pattern = re.compile(r"^\s*(from|import)\s+attribution_book\b", re.M)
    offenders = [
        str(p.relative_to(LIBRARY)) for p in LIBRARY.rglob("*.py") if pattern.search(p.read_text())
    ]
    assert not offenders, f"library modules importing attribution_book: {offenders}"


def test_importing_every_library_module_loads_nothing_of_the_book():
    code = (
        "import importlib, pkgutil, sys\n"
        "import unified_attribution as u\n"
        "for m in pkgutil.walk_packages(u.__path__, 'unified_attribution.'):\n"
        "    importlib.import_module(m.name)\n"
        "loaded = sorted(n for n in sys.modules if n.split('.')[0] == 'attribution_book')\n"
        "print(len(list(pkgutil.walk_packages(u.__path__))), loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def _module_imports(root: Path, package: str) -> dict[str, set[str]]:
    """Each module of ``package`` -> the modules of the same package it imports anywhere in
    its source (function-level imports included), resolved to module names."""
    import ast

    modules = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = (path, parts[-1] == "__init__")
    graph = {}
    for name, (path, is_package) in modules.items():
        here = name if is_package else name.rsplit(".", 1)[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = here
                for _ in range(max(node.level - 1, 0)):
                    base = base.rsplit(".", 1)[0]
                target = (
                    (base + ("." + node.module if node.module else ""))
                    if node.level
                    else node.module
                )
                for alias in node.names:
                    for candidate in (f"{target}.{alias.name}", target):
                        if candidate in modules and candidate != name:
                            found.add(candidate)
                            break
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name in modules and a.name != name}
        graph[name] = {m for m in found if not modules[m][1]}  # packages re-export: skip them
    return graph


@pytest.mark.parametrize("package", ["unified_attribution", "attribution_book"])
def test_no_two_modules_import_each_other(package):
    import importlib

    root = Path(importlib.import_module(package).__file__).parent
    graph = _module_imports(root, package)
    circles = sorted(
        tuple(sorted((a, b)))
        for a, targets in graph.items()
        for b in targets
        if a in graph.get(b, ())
    )
    assert not circles, f"modules importing each other: {sorted(set(circles))}"


def test_the_cache_trains_once_reads_after_and_retrains_on_request(model_cache):
    path = cache.entry("zoo", "toy", 0, {"width": 3, "data": cache.data_digest([1, 2, 3])})
    assert path.parent == model_cache / "zoo" and path.name.startswith("toy-s0-")
    calls = []

    def train(tmp):
        calls.append(tmp)
        tmp.write_text(f"model {len(calls)}")
        return f"trained {len(calls)}"

    def read(p):
        return p.read_text()

    assert cache.load_or_train(path, train, read) == "trained 1"
    assert cache.load_or_train(path, train, read) == "model 1" and len(calls) == 1
    assert cache.load_or_train(path, train, read, retrain=True) == "trained 2"
    assert path.read_text() == "model 2" and not list(path.parent.glob("*.tmp*"))


def test_the_cache_key_covers_configuration_data_and_torch():
    base = cache.entry("zoo", "toy", 0, {"width": 3, "data": cache.data_digest([1, 2, 3])})
    assert cache.entry("zoo", "toy", 0, {"width": 4, "data": cache.data_digest([1, 2, 3])}) != base
    assert cache.entry("zoo", "toy", 0, {"width": 3, "data": cache.data_digest([1, 2, 4])}) != base
    assert cache.entry("zoo", "toy", 1, {"width": 3, "data": cache.data_digest([1, 2, 3])}) != base


@pytest.mark.parametrize("kind", ["zoo", "sasanet"])
def test_zoo_and_sasanet_share_the_cache_root(kind, model_cache):
    assert cache.entry(kind, "m", 0, {}).parent.parent == cache.root() == model_cache


def test_a_corrupt_or_orphaned_cache_entry_is_retrained_not_fatal(model_cache):
    path = cache.entry("zoo", "toy", 0, {"width": 3})
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x80truncated")
    orphan = path.with_suffix(".tmp99999")
    orphan.write_text("half a file")

    def read(p):
        text = p.read_text()
        if not text.startswith("model"):
            raise EOFError("Ran out of input")
        return text

    def train(tmp):
        tmp.write_text("model 1")
        return "trained"

    with pytest.warns(RuntimeWarning, match="could not be read.*training it again"):
        assert cache.load_or_train(path, train, read) == "trained"
    assert path.read_text() == "model 1" and path.with_suffix(".corrupt").exists()
    assert not orphan.exists()
    assert cache.load_or_train(path, train, read) == "model 1"


def test_a_reader_without_the_lock_never_moves_an_entry_aside(model_cache):
    """Two processes read one corrupt entry: the first retrains under the lock; the second,
    whose lock-free read failed before, must not move the first's fresh entry aside. Here the
    second reader's unlocked read fails (the entry is still corrupt), then, holding the lock,
    it finds the entry rewritten by the first process and reads it."""
    path = cache.entry("zoo", "toy", 0, {"width": 5})
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x80truncated")
    reads = []

    def read(p):
        reads.append(p.read_bytes())
        if len(reads) == 1:  # meanwhile the other process rewrites the entry
            p.write_text("model from the other process")
            raise EOFError("Ran out of input")
        return p.read_text()

    def train(tmp):
        raise AssertionError("the entry was trained by the other process")

    assert cache.load_or_train(path, train, read) == "model from the other process"
    assert not path.with_suffix(".corrupt").exists()


def test_an_entry_another_process_is_training_is_skipped_without_waiting(model_cache):
    """``wait=False`` returns None at once while another holder has the lock (a second open
    file description: flock locks conflict between them even in one process), and trains
    once the lock is free."""
    path = cache.entry("zoo", "toy", 0, {"width": 7})

    def train(tmp):
        tmp.write_text("model")
        return "trained"

    with cache.training_lock(path):
        assert cache.load_or_train(path, train, lambda p: p.read_text(), wait=False) is None
        assert not path.exists()
    assert cache.load_or_train(path, train, lambda p: p.read_text(), wait=False) == "trained"


def test_waiting_for_another_process_goes_to_the_log_not_the_page(model_cache, caplog, capsys):
    """Which chapter waits for which model depends on the build's schedule: a printed line
    would make the rendered page depend on it."""
    path = cache.entry("zoo", "toy", 0, {"width": 8})
    holder = cache.training_lock(path)
    holder.__enter__()

    def wait():
        with cache.training_lock(path):
            pass

    waiter = threading.Thread(target=wait)
    with caplog.at_level(logging.INFO, logger="attribution_book.cache"):
        waiter.start()
        while "waiting for another process" not in caplog.text and waiter.is_alive():
            waiter.join(0.05)
        holder.__exit__(None, None, None)
        waiter.join()
    assert "waiting for another process to finish training" in caplog.text
    assert "waiting" not in capsys.readouterr().out


def test_trained_all_leaves_the_models_others_are_training_for_last(monkeypatch):
    calls = []

    def fake(name, profile, seed, progress, overrides, wait):
        calls.append((name, wait))
        return None if (name == "wine" and not wait) else f"model of {name}"

    monkeypatch.setattr(sasanet_runs, "_trained", fake)
    found = sasanet_runs.trained_all(["wine", "diabetes"], profile="quick")
    assert calls == [("wine", False), ("diabetes", False), ("wine", True)]
    assert list(found) == ["wine", "diabetes"] and found["wine"] == "model of wine"


def test_a_read_only_cache_trains_in_memory_and_a_file_in_the_way_is_named(
    model_cache, monkeypatch
):
    path = cache.entry("zoo", "toy", 0, {"width": 6})
    monkeypatch.setattr(cache.os, "access", lambda p, mode: False)  # root ignores chmod
    with pytest.warns(RuntimeWarning, match="not writable: training .* in memory"):
        assert cache.load_or_train(path, lambda tmp: "in memory", lambda p: p.read_text()) == (
            "in memory"
        )
    assert not path.exists()
    monkeypatch.undo()
    blocker = model_cache / "blocked"
    blocker.write_text("not a folder")
    monkeypatch.setenv(cache.ENV, str(blocker))
    with pytest.raises(NotADirectoryError, match="a file is in the way"):
        cache.load_or_train(cache.entry("zoo", "toy", 0, {}), lambda tmp: 1, lambda p: 1)
