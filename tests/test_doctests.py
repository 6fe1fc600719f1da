"""The examples in the public docstrings run and print what they say."""

import doctest

import pytest

from unified_attribution import games, methods


@pytest.mark.parametrize("module", [games, methods], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
