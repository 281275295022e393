"""Why a saved plan is stale (``generator.plan_basis``): every difference
between what it was made from and what is there now is a reason."""

from __future__ import annotations

import pytest

from generator import plan_basis
from generator.plan_basis import Basis

SAVED = Basis(environment="dev", mode="apply", fingerprint="f1", serial=3, lineage="L1")


def test_nothing_moved():
    assert plan_basis.stale_reason(SAVED, SAVED) is None
    fresh = Basis("dev", "apply", "f1", None, None)
    assert plan_basis.stale_reason(fresh, fresh) is None


@pytest.mark.parametrize(
    ("current", "reason"),
    [
        (
            Basis("dev", "apply", "f1", 5, "L1"),
            "the state moved since it was made (serial 5, was 3)",
        ),
        (Basis("dev", "apply", "f1", 3, "L2"), "the state is a different one (lineage L2"),
        (Basis("dev", "apply", "f1", None, None), "the state it was made from is gone"),
        (
            Basis("dev", "apply", "f2", 3, "L1"),
            "the rendered root module changed since it was made",
        ),
        (Basis("dev", "retire", "f1", 3, "L1"), "made to apply changes, but this run would retire"),
    ],
)
def test_what_makes_a_plan_stale(current, reason):
    assert reason in plan_basis.stale_reason(SAVED, current)


def test_a_state_that_appeared_after_planning():
    fresh = Basis("dev", "apply", "f1", None, None)
    assert (
        plan_basis.stale_reason(fresh, SAVED) == "a state was written since it was made (serial 3)"
    )


def test_a_basis_is_kept_next_to_the_plan_and_used_once(tmp_path):
    plan = tmp_path / "tfplan"
    assert plan_basis.load(plan) is None
    plan.write_bytes(b"plan")
    plan_basis.record(plan, SAVED)
    assert plan_basis.path_of(plan).name == "tfplan.basis.json"
    assert plan_basis.load(plan) == SAVED
    plan_basis.forget(plan)
    assert plan_basis.load(plan) is None
    plan_basis.path_of(plan).write_text("{broken")
    assert plan_basis.load(plan) is None  # unreadable: no reviewed plan
