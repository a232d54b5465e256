"""The package as a user gets it: a wheel built from the source tree, installed into a clean
virtual environment with the pinned dependencies, run from a folder outside the checkout."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED

# What a build needs from the source tree (a fresh clone has exactly this, and more).
BUILD_INPUTS = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "kg", "ontology"]
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def _run(args, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _ontology_files() -> set[str]:
    return {p.relative_to(ROOT).as_posix() for p in (ROOT / "ontology").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built offline from a copy of the source tree (the checkout is left untouched)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "src"
    source.mkdir()
    for name in BUILD_INPUTS:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=IGNORED)
        else:
            shutil.copy2(path, source / name)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
          "--wheel-dir", base / "dist", source])
    (built,) = (base / "dist").glob("polkg-*.whl")
    return built


@pytest.mark.slow
def test_wheel_ships_the_ontology_tree_queries_and_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n.removeprefix("kg/") for n in names if n.startswith("kg/ontology/")}
    assert shipped == _ontology_files(), "every file of ontology/ is in the wheel as kg/ontology/..."
    queries = {p.name for p in (ROOT / "kg" / "queries").glob("*.rq")}
    assert queries and {f"kg/queries/{q}" for q in queries} <= names
    assert "kg/templates/graph.html" in names
    models = {p.relative_to(ROOT).as_posix() for p in (ROOT / "kg" / "models").rglob("*")
              if p.is_file() and "__pycache__" not in p.parts}
    assert models <= names, sorted(models - names)[:5]
    assert {"kg/ontology/polkg.ttl", "kg/ontology/shapes.ttl",
            "kg/ontology/reference/sources/regions.csv"} <= names
    model = ROOT / "kg" / "models" / "decisions"
    trained = {"kg/" + p.relative_to(ROOT / "kg").as_posix() for p in model.rglob("*") if p.is_file()}
    assert trained and trained <= names, "the trained sentence classifier is in the wheel"


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_wheel_installed_in_a_clean_venv_ingests_the_seed_and_answers_a_named_query(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    pip = [python, "-m", "pip", "install", "--quiet", "--no-deps"]
    _run([*pip, "--require-hashes", "-r", ROOT / "requirements" / "main.txt"])
    _run([*pip, wheel])
    _run([python, "-m", "pip", "check"])

    # Far from the checkout: nothing of the source tree can be found from here.
    work = tmp_path / "elsewhere"
    (work / "news").mkdir(parents=True)
    shutil.copy2(SEED, work / "news" / SEED.name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    kg = env_dir / "bin" / "kg"

    where = _run([python, "-c", "import kg, kg.resources as r; print(kg.__file__); print(r.ONTOLOGY_DIR)"],
                 cwd=work, env=env).stdout.splitlines()
    site = str(env_dir.resolve())
    assert all(line.startswith(site) for line in where), where
    assert where[1].endswith(os.path.join("kg", "ontology"))

    ingested = _run([kg, "--store", "S", "ingest", "news"], cwd=work, env=env)
    assert ingested.stdout.startswith("1 ingested, 0 unchanged, 0 refused"), ingested.stdout
    out = _run([kg, "--store", "S", "query", "--name", "preconditions", "--format", "csv"],
               cwd=work, env=env).stdout
    demands = list(csv.DictReader(io.StringIO(out)))
    russia = {(d["actionCode"], d["addresseeName"]) for d in demands if d["demanderName"] == "Russia"}
    assert {("withdraw_forces", "Ukraine"), ("renounce_alliance", "Ukraine")} <= russia, demands
    withdraw = next(d for d in demands if d["actionCode"] == "withdraw_forces")
    assert "Kherson Oblast" in withdraw["regions"].split("; ")


def test_ci_installs_like_a_new_user_and_ends_with_make_test():
    """`.ci/run` starts from no virtual environment and no pip cache, runs `make demo`,
    `pip check`, and ends by calling `make test`."""
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    order = [lines.index(step) for step in
             ("export PIP_NO_CACHE_DIR=1", "rm -rf .venv", "make demo", ".venv/bin/python -m pip check")]
    assert order == sorted(order)
    assert lines[-1] == "make test"
    assert "apt-get install -y -qq chromium >/dev/null" in lines


def test_makefile_installs_every_lock_file_without_resolving_and_checks_it():
    makefile = (ROOT / "Makefile").read_text()
    assert "LOCKED := $(PIP) install --quiet --no-deps --require-hashes" in makefile
    for lock in ("main", "test", "notebooks"):
        stage = makefile.split(f"$(LOCKED) -r requirements/{lock}.txt", 1)[1].split("touch $@", 1)[0]
        assert "$(PIP) check" in stage, lock
