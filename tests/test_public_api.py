"""The public API is typed: every public function and method of the library annotates each
parameter and its return (``py.typed`` tells type checkers to read them)."""

import importlib
import inspect
import pkgutil
from pathlib import Path

import unified_attribution


def public_functions():
    for info in pkgutil.walk_packages(unified_attribution.__path__, "unified_attribution."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                yield f"{module.__name__}.{name}", obj
            elif inspect.isclass(obj) and not getattr(obj, "_is_protocol", False):
                for attr, member in vars(obj).items():
                    if isinstance(member, (classmethod, staticmethod)):
                        member = member.__func__
                    if inspect.isfunction(member) and (
                        not attr.startswith("_") or attr == "__init__"
                    ):
                        yield f"{module.__name__}.{name}.{attr}", member


def unannotated(fn) -> list[str]:
    signature = inspect.signature(fn)
    missing = [
        p.name
        for p in signature.parameters.values()
        if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty
    ]
    if signature.return_annotation is inspect.Signature.empty and fn.__name__ != "__init__":
        missing.append("return")
    return missing


def test_every_public_function_is_annotated():
    functions = dict(public_functions())
    assert len(functions) > 100  # the walk found the library
    missing = {name: unannotated(fn) for name, fn in functions.items() if unannotated(fn)}
    assert not missing, f"add type hints (see unified_attribution.aliases): {missing}"


def test_the_packages_say_they_are_typed():
    root = Path(unified_attribution.__file__).parent
    assert (root / "py.typed").exists()


def renamed_modules():
    for info in pkgutil.walk_packages(unified_attribution.__path__, "unified_attribution."):
        module = importlib.import_module(info.name)
        if "RENAMED" in vars(module):
            yield module


def test_old_names_still_work_for_one_release_and_warn():
    """Every rename a module records (``RENAMED``: old -> new) keeps the old name reachable,
    as the same object, with a DeprecationWarning naming the new one."""
    import pytest

    modules = list(renamed_modules())
    names = {f"{m.__name__}.{old}" for m in modules for old in m.RENAMED}
    assert "unified_attribution.theory.allocation.rebuild_from_dividends" in names
    assert "unified_attribution.games.evaluate" in names
    for module in modules:
        for old, new in module.RENAMED.items():
            assert old not in vars(module), f"{module.__name__}.{old} is still defined"
            with pytest.warns(DeprecationWarning, match=f"renamed {module.__name__}.{new}"):
                assert getattr(module, old) is getattr(module, new)
        with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
            module.no_such_name  # noqa: B018
