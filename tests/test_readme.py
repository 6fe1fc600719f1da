"""The README's quickstart is book/quickstart.py, word for word, and it runs."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = ROOT / "book" / "quickstart.py"


def test_the_readme_shows_the_quickstart_the_tests_run():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Use it on your own model") :]
    shown = re.search(r"```python\n(.*?)```", section, re.S)[1]
    code = QUICKSTART.read_text().split('"""\n\n', 1)[1]
    assert shown == code


def test_the_quickstart_runs_and_prints_every_method():
    done = subprocess.run(
        [sys.executable, str(QUICKSTART)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for title in ("Gradient x Input", "DeepLIFT RevealCancel", "Shapley value", "dividend of"):
        assert title in done.stdout
    assert "mean radius" in done.stdout  # SASANet's attribution, by column name
