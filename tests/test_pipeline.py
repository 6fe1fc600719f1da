"""The notebook pipeline: parameters arrive, and a failing cell fails loudly."""

import json
from pathlib import Path

import nbformat
import pytest

from attribution_book.bookbuild import execute

HEADER = """# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
profile = "full"
seed = 0
"""


def _write(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(HEADER + body)
    return path


def test_parameters_reach_the_notebook(tmp_path):
    _write(
        tmp_path / "nbs",
        "echo",
        '\n# %%\nimport json\nprint(json.dumps({"profile": profile, "seed": seed}))\n',
    )
    status = execute.main(
        [
            "--notebook-dir",
            str(tmp_path / "nbs"),
            "--output-dir",
            str(tmp_path / "out"),
            "--profile",
            "quick",
            "-p",
            "seed",
            "3",
        ]
    )
    assert status == 0
    notebook = nbformat.read(tmp_path / "out" / "echo.ipynb", as_version=4)
    printed = [
        out["text"]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("name") == "stdout"
    ]
    assert json.loads(printed[-1]) == {"profile": "quick", "seed": 3}
    injected = [c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "remove-cell" in injected[0].metadata["tags"]  # not on the page


def test_code_is_folded_except_in_solutions_and_where_a_chapter_shows_it():
    def code(source, tags=()):
        return nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)})

    md = nbformat.v4.new_markdown_cell
    notebook = nbformat.v4.new_notebook(
        cells=[
            code("profile = 'quick'", ["injected-parameters"]),
            code("glue('n', 3, display=False)"),
            code("terms = symbolic.taylor_terms(f, X, b)", ["show-input"]),
            code("print('ledger')", ["remove-input"]),
            md("```{solution-start} ex-a\n:class: dropdown\n```\nThe answer:"),
            code("answer = 2 + 2"),
            md("It is 4.\n```{solution-end}\n```\n\n```{exercise}\n:label: ex-b\n```"),
            code("table = build()"),
        ]
    )
    execute.fold_code(notebook)
    tags = [c.metadata["tags"] for c in notebook.cells if c.cell_type == "code"]
    assert tags == [
        ["injected-parameters", "remove-cell"],
        ["hide-input"],
        ["show-input"],
        ["remove-input"],
        [],  # a solution's code is the answer: shown
        ["hide-input"],
    ]


def test_kernels_talk_over_unix_sockets_not_tcp_ports(tmp_path):
    # with TCP, two kernels started at once can be handed the same "free" port (CI saw
    # "Address already in use"); ipc sockets are files private to each kernel
    body = (
        "\n# %%\nimport ipykernel, json\n"
        'print(json.loads(ipykernel.get_connection_info())["transport"])\n'
    )
    for name in ("first", "second", "third"):
        _write(tmp_path / "nbs", name, body)
    status = execute.main(
        [
            "--notebook-dir",
            str(tmp_path / "nbs"),
            "--output-dir",
            str(tmp_path / "out"),
            "--profile",
            "quick",
            "--jobs",
            "3",
        ]
    )
    assert status == 0
    for name in ("first", "second", "third"):
        notebook = nbformat.read(tmp_path / "out" / f"{name}.ipynb", as_version=4)
        printed = [
            out["text"].strip()
            for cell in notebook.cells
            if cell.cell_type == "code"
            for out in cell.get("outputs", [])
            if out.get("name") == "stdout"
        ]
        assert printed == ["ipc"]


def test_failing_cell_fails_loudly_and_leaves_no_stale_output(tmp_path, capsys):
    nbs, out = tmp_path / "nbs", tmp_path / "out"
    _write(nbs, "good", "\n# %%\nx = 1\n")
    _write(nbs, "broken", "\n# %%\nratio = 1 / 0  # the failing cell\n")
    out.mkdir()
    (out / "broken.ipynb").write_text("{}")  # a stale result from an earlier, good run
    status = execute.main(
        ["--notebook-dir", str(nbs), "--output-dir", str(out), "--profile", "quick"]
    )
    err = capsys.readouterr().err
    assert status == 1
    assert "notebook broken (" in err and "failed in cell" in err
    assert "ratio = 1 / 0  # the failing cell" in err  # the cell's source
    assert "ZeroDivisionError" in err  # its traceback
    assert "1 of 2 notebook(s) failed: broken" in err
    assert not (out / "broken.ipynb").exists()
    assert (out / "broken.failed.ipynb").exists()
    assert (out / "good.ipynb").exists()


def test_unknown_notebook_and_profile_are_refused(tmp_path):
    _write(tmp_path, "only_one", "")
    with pytest.raises(SystemExit, match="no notebook named nope.*only_one"):
        execute.discover(tmp_path, ["nope"])
    with pytest.raises(SystemExit, match="profile must be one of"):
        execute.parse_parameters([["profile", "fast"]], "full", None)


def test_parameter_values_are_read_as_yaml():
    params = execute.parse_parameters(
        [["seed", "3"], ["rate", "0.5"], ["name", "abc"]], "quick", None
    )
    assert params == {"profile": "quick", "seed": 3, "rate": 0.5, "name": "abc"}


def test_summary_pages_run_last_and_learn_where_the_chapters_are(tmp_path, monkeypatch):
    monkeypatch.setattr(execute, "SUMMARIES", ("zsummary",))
    _write(tmp_path / "nbs", "chapter", "\n# %%\nprint('chapter')\n")
    _write(
        tmp_path / "nbs",
        "zsummary",
        "\n# %%\nfrom pathlib import Path\nprint(sorted(p.name for p in Path(executed_dir).glob('*.ipynb')))\n",
    )
    results = execute.execute_all(
        execute.discover(tmp_path / "nbs"), tmp_path / "out", {"profile": "quick"}, jobs=2
    )
    assert [r.name for r in results] == ["chapter", "zsummary"] and all(r.ok for r in results)
    notebook = nbformat.read(tmp_path / "out" / "zsummary.ipynb", as_version=4)
    printed = [
        o["text"] for c in notebook.cells for o in c.get("outputs", []) if o.get("name") == "stdout"
    ]
    assert "chapter.ipynb" in printed[-1]


def test_an_execution_is_reused_only_for_the_same_inputs(tmp_path, capsys):
    """``--reuse`` (make book) skips a chapter whose executed notebook records the digest of
    the same source and parameters; another seed or an edited source executes it again."""
    source = _write(tmp_path / "nbs", "clock", "\n# %%\nimport time\nprint(time.time_ns())\n")

    def run(*extra):
        args = ["--notebook-dir", str(tmp_path / "nbs"), "--output-dir", str(tmp_path / "out")]
        assert execute.main([*args, "--reuse", *extra]) == 0
        return (tmp_path / "out" / "clock.ipynb").read_text()

    first = run()
    assert execute.executed_digest(tmp_path / "out" / "clock.ipynb") == execute.inputs_digest(
        source, {"profile": "full"}
    )
    assert run() == first and "reused clock" in capsys.readouterr().out
    assert run("-p", "seed", "1") != first  # other parameters: executed again
    source.write_text(source.read_text() + "\n# %%\nprint('edited')\n")
    assert "edited" in run("-p", "seed", "1")  # another source: executed again
