"""Smoke test of the benchmarks in bench/: the spec generator writes valid,
varied specs, and benchmark 3 runs on a small N and returns a well-formed
result. Timings are never asserted (speed targets live in ``make bench``)."""

from __future__ import annotations

import json

import pytest
import yaml

from bench import benchmarks, report, specgen
from generator import render, spec

N = 20


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    directory = tmp_path_factory.mktemp("specs") / "environments"
    return directory, specgen.generate(directory, N)


def test_generator_writes_valid_varied_specs(generated):
    directory, paths = generated
    assert [p.name for p in paths] == [f"env-{i:04d}.yaml" for i in range(1, N + 1)]
    assert (directory / "_defaults.yaml").is_file()
    loaded = [spec.load(p) for p in paths]
    assert [s.name for s in loaded] == [p.stem for p in paths]
    assert {s.provider for s in loaded} == {"cognito", "auth0"}
    assert len({s.state.backend for s in loaded}) >= 2
    assert any("extends" in yaml.safe_load(p.read_text()) for p in paths)
    for loaded_spec in loaded:
        files = render.render(loaded_spec)
        assert set(files) == set(render.RENDERED)
        json.loads(files[render.TFVARS])


def test_generator_is_reproducible(tmp_path, generated):
    _, paths = generated
    again = specgen.generate(tmp_path, N)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]


def test_plannable_specs_are_cognito_with_local_state(tmp_path):
    paths = specgen.plannable(tmp_path, 3)
    for loaded in map(spec.load, paths):
        assert loaded.provider == "cognito"
        assert loaded.state.backend == "local"
        assert loaded.endpoint_url is not None
        assert not loaded.protected


def test_benchmark_3_on_a_small_n(tmp_path):
    result = benchmarks.bench_specs(tmp_path, N, repeats=1, profile=True)
    assert result["id"] == 3
    assert result["specs"] == N
    assert result["valid"] == N
    assert result["failures"] == []
    assert sum(result["providers"].values()) == N
    for key in ("total_s", "load_s", "render_s", "import_s"):
        assert result[key]["n"] == 1
        assert result[key]["median"] >= 0
    assert result["cli_validate_all"]["wall_s"]["n"] == 1
    assert isinstance(result["goal_met"], bool)
    assert result["goal"] == {"max_s": benchmarks.SPECS_GOAL_S}
    shares = result["profile"]["self_time_by_package"]
    assert shares and all(0 <= p["share"] <= 1 for p in shares)
    json.dumps(result)  # JSON-ready as it is


def test_report_renders_a_result(tmp_path):
    result = benchmarks.bench_specs(tmp_path, 5, repeats=1, cli=False, profile=False)
    doc = {
        "machine": {"date": "2026-01-01T00:00:00+00:00", "cpu_count": 2, "cpu_model": "test"},
        "options": {"quick": True},
        "duration_s": 1.0,
        "benchmarks": [result, {"id": 1, "error": "terraform is not on PATH"}],
    }
    text = report.markdown(doc)
    assert "| 3 | validate + render of 5 generated specs" in text
    assert "did not run: terraform is not on PATH" in text


def test_report_rows_of_the_plan_all_benchmarks():
    """Benchmarks 4 and 5 share one row builder: each keeps its own description."""

    def result(kind: int, jobs: int, environments: int) -> dict:
        wall = {"authgen": 10.0, "baseline": 30.0}
        return {
            "id": kind,
            "jobs": jobs,
            "environments": environments,
            **{side: {"wall_s": {"median": s}} for side, s in wall.items()},
            "ratio": 0.333,
            "speedup": 3.0,
            "ideal_speedup": 4,
        }

    assert report.rows(result(4, 4, 8)) == [
        [
            "4",
            "`authgen plan --all -j 4` of 8 envs vs 8 x `authgen plan ENV` in turn",
            "10.00 s",
            "30.00 s",
            "0.33 (3.00x faster; ideal 4x)",
            "—",
            "—",
        ]
    ]
    assert report.rows(result(5, 2, 3)) == [
        [
            "5",
            "`authgen plan --all -j 2` of 3 envs sharing S3 state (moto) vs `plan --all -j 1`",
            "10.00 s",
            "30.00 s",
            "0.33 (3.00x faster; ideal 4x)",
            "—",
            "—",
        ]
    ]
    assert report.rows({"id": 99}) == []


def test_importtime_parser():
    stderr = (
        "import time: self [us] | cumulative | imported package\n"
        "import time:       100 |        100 |   yaml.error\n"
        "import time:       500 |        600 | yaml\n"
        "import time:      2000 |       2000 | rich\n"
    )
    parsed = benchmarks.parse_importtime(stderr)
    assert parsed["total_ms"] == 2.6
    assert parsed["top_packages_self_ms"][0] == {"package": "rich", "ms": 2.0}
    assert parsed["heavy_imported"] == ["rich"]


def test_plannable_specs_can_share_one_state_bucket(tmp_path):
    paths = specgen.plannable(tmp_path, 3, state_bucket="authgen-bench-state")
    loaded = [spec.load(p) for p in paths]
    assert {s.state.backend for s in loaded} == {"s3"}
    assert {s.state.bucket for s in loaded} == {"authgen-bench-state"}
    assert len({s.state.key for s in loaded}) == 3
