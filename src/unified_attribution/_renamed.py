"""Old public names that keep working for one release, with a DeprecationWarning (PEP 562).

A module lists its renames and installs the hook::

    __getattr__ = renamed_names(__name__, {"old": "new"}, globals())
"""

from __future__ import annotations

import warnings
from typing import Callable


def renamed_names(module: str, renames: dict[str, str], namespace: dict) -> Callable[[str], object]:
    """A module ``__getattr__`` that returns ``namespace[new]`` for each old name, warning
    that the old name goes in the next release; any other missing name is an AttributeError."""

    def __getattr__(name: str) -> object:
        if name in renames:
            new = renames[name]
            warnings.warn(
                f"{module}.{name} is renamed {module}.{new}; the old name will be removed "
                "in the next release",
                DeprecationWarning,
                stacklevel=2,
            )
            return namespace[new]
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__
