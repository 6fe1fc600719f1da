"""environment.yml and pyproject.toml describe the same environment."""

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_matches_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    extras = ",".join(sorted(project["optional-dependencies"]))
    assert f"-e .[{extras}]" in pip
    assert "-c constraints.txt" in pip
    torch_pin = next(d for d in project["dependencies"] if d.startswith("torch"))
    assert torch_pin in pip


def test_constraints_pin_every_direct_dependency():
    pinned = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    direct = project["dependencies"] + sum(project["optional-dependencies"].values(), [])
    for requirement in direct:
        name = requirement.split("[")[0].split("=")[0].split("<")[0].split(">")[0].strip()
        assert name.lower().replace("_", "-") in pinned, f"{name} is not pinned in constraints.txt"
