"""The examples in the public docstrings (harsanyi, attribute) run and print what they say."""

import doctest

import pytest

from unified_attribution.games import dividends
from unified_attribution.methods import interface


@pytest.mark.parametrize("module", [dividends, interface], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
