"""The seed sweep: tasks on a Dask cluster, each seed's verdicts, and what the ledger says."""

import json

import pytest

from attribution_book import claims, cluster, sweep

TINY = """# %% tags=["parameters"]
profile = "quick"
seed = 0

# %%
from attribution_book import claims

claims.record("T-seed", claims.at_most(float(seed), 0.5, "the seed"))
"""


def test_tasks_refuse_unknown_chapters_and_non_integer_seeds():
    assert sweep.tasks(["faithfulness"], [0, 1]) == [("faithfulness", 0), ("faithfulness", 1)]
    with pytest.raises(ValueError, match="unknown chapter.*nope"):
        sweep.tasks(["nope"], [0])
    with pytest.raises(TypeError, match="integers"):
        sweep.tasks(["faithfulness"], [0, "1"])
    with pytest.raises(ValueError, match="at least one"):
        sweep.tasks(["faithfulness"], [])


def test_an_unreachable_scheduler_is_named():
    with pytest.raises(ConnectionError, match="127.0.0.1:9"):
        cluster.client("tcp://127.0.0.1:9", timeout="1s")


def test_the_command_refuses_bad_input_before_running(tmp_path, capsys):
    output = tmp_path / "sweep.json"
    assert sweep.main(["--chapter", "nope", "--output", str(output)]) == 2
    assert "unknown chapter" in capsys.readouterr().err and not output.exists()


@pytest.fixture
def client():
    """A Dask client on an in-process cluster of one worker with one thread (two papermill
    runs in threads of one process would share an event loop)."""
    from distributed import Client, LocalCluster

    with LocalCluster(
        processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None
    ) as local:
        with Client(local) as found:
            yield found


def _chapters(tmp_path, **sources):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name, source in sources.items():
        (notebooks / f"{name}.py").write_text(source)
    return notebooks


def test_a_two_task_sweep_on_an_in_process_cluster(tmp_path, client):
    notebooks = _chapters(tmp_path, tiny=TINY)
    todo = sweep.tasks(["tiny"], [0, 1], notebooks)
    records, failures = sweep.run(todo, client, tmp_path / "work", notebooks, "quick")
    assert failures == []
    digest = sweep.inputs_digest(notebooks, "tiny")
    first = sweep.part_file(tmp_path / "work", "tiny", 0, digest).stat().st_mtime_ns
    # a rerun skips the finished tasks
    again, _ = sweep.run(todo, client, tmp_path / "work", notebooks, "quick")
    assert sweep.part_file(tmp_path / "work", "tiny", 0, digest).stat().st_mtime_ns == first
    assert [r["seed"] for r in again] == [0, 1]
    # a changed chapter is run again, not read from the parts of its old source
    (notebooks / "tiny.py").write_text(TINY + "\n# %%\nchanged = True\n")
    assert sweep.inputs_digest(notebooks, "tiny") != digest
    sweep.run(todo[:1], client, tmp_path / "work", notebooks, "quick")
    assert sweep.part_file(
        tmp_path / "work", "tiny", 0, sweep.inputs_digest(notebooks, "tiny")
    ).exists()
    by_seed = {r["seed"]: r["verdicts"]["claim_T_seed"] for r in records}
    assert by_seed[0]["verdict"] == "holds" and by_seed[1]["verdict"] == "does not hold here"
    assert by_seed[1]["value"] == 1.0
    found = sweep.merge(records, [0, 1], ["tiny"], 1.0)
    assert set(found) >= {"commit", "cpu", "torch", "date", "claims"}
    row = {"id": "T-seed", "chapter": "tiny", "verdict": "holds", "detail": {"exact": False}}
    said = sweep.stability(found, [row])["T-seed"]
    assert said.startswith("unstable: same in 1 of 2 seeds")
    assert "seed 1: does not hold here" in said and "0 to 1" in said


def test_a_failing_task_is_reported_by_name_and_the_rest_completes(tmp_path, client):
    notebooks = _chapters(tmp_path, broken='# %% tags=["parameters"]\nseed = 0\n\n# %%\n1 / seed\n')
    todo = sweep.tasks(["broken"], [0, 1], notebooks)
    records, failures = sweep.run(todo, client, tmp_path / "work", notebooks, "quick")
    assert [(c, s) for c, s, _ in failures] == [("broken", 0)]
    assert "ZeroDivisionError" in failures[0][2]
    assert [r["seed"] for r in records] == [1]


def _sweep(verdicts):
    seeds = {
        str(s): {"verdict": v, "numbers": "", "value": 0.1 * s} for s, v in enumerate(verdicts)
    }
    return {"claims": {claims.glue_name("B-x"): {"chapter": "sasanet_shapley", "seeds": seeds}}}


def test_what_the_ledger_says_of_each_verdict():
    row = {"id": "B-x", "chapter": "sasanet_shapley", "verdict": "partly", "detail": {}}
    assert sweep.stability(_sweep(["partly"] * 5), [row])["B-x"] == (
        "same in 5 of 5 seeds, deciding number 0 to 0.4"
    )
    assert sweep.stability(_sweep(["holds"] * 5), [row])["B-x"].startswith("stale sweep")
    exact = {**row, "detail": {"exact": True}}
    assert sweep.stability(None, [exact])["B-x"] == "exact (sympy), not swept"
    unswept = {**row, "chapter": "principles"}
    assert "no draw depends on the chapter's seed" in sweep.stability(None, [unswept])["B-x"]
    seeded = {**unswept, "detail": {"seeded": True}}
    assert sweep.stability(None, [seeded])["B-x"].startswith("depends on the seed")
    assert "make sweep" in sweep.stability(None, [row])["B-x"]
    stored = {**row, "chapter": "sasanet_baselines", "detail": {"stored": "run X"}}
    assert "stored benchmark runs" in sweep.stability(None, [stored])["B-x"]


def test_the_stored_sweep_covers_every_seeded_chapter():
    found = sweep.load()
    if found is None:
        pytest.skip("no sweep stored yet (make sweep)")
    assert set(found["chapters"]) == set(sweep.SWEPT)
    assert len(found["seeds"]) >= 5
    chapters = {e["chapter"] for e in found["claims"].values()}
    assert set(sweep.SWEPT) <= chapters
    json.dumps(found)  # plain data


def _inverse(job):
    return 1 / job


def test_benchmark_jobs_keep_their_order_and_failures_are_named(client):
    found = cluster.map_jobs(client, _inverse, [1, 2, 4], "jobs", progress=False)
    assert found == [1.0, 0.5, 0.25]
    with pytest.raises(RuntimeError, match=r"1 of 3 jobs failed:\n  0: ZeroDivisionError"):
        cluster.map_jobs(client, _inverse, [1, 0, 4], "jobs", progress=False)
    with pytest.raises(ValueError, match="workers must be at least 1"):
        cluster.client(workers=0)


def test_the_seed_note_names_its_number_and_the_counts_that_move():
    row = {"id": "B-x", "chapter": "sasanet_shapley", "verdict": "partly"}
    named = {**row, "detail": {"measure": "nearest the bar"}}
    assert sweep.stability(_sweep(["partly"] * 3), [named])["B-x"] == (
        "same in 3 of 3 seeds, nearest the bar 0 to 0.2"
    )
    found = _sweep(["partly"] * 3)
    for seed, reversed_ in zip("012", (0, 1, 2)):
        found["claims"][claims.glue_name("B-x")]["seeds"][seed]["numbers"] = (
            f"1 of 6 pairs hold, {reversed_} reversed, {5 - reversed_} not decided; more"
        )
    said = sweep.stability(found, [{**row, "detail": {}}])["B-x"]
    assert said.endswith(
        "counts over seeds: 1 of 6 pairs hold, 0 to 2 reversed, 3 to 5 not decided"
    )
    stored = {**row, "chapter": "sasanet_posthoc", "detail": {"stored": "run X"}}
    assert sweep.stability(None, [stored])["B-x"].startswith("depends on the seed")
