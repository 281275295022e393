"""Day-2 steps of the commands that change an environment (plan, apply,
destroy, leftovers): each runs under the environment's run lock, before
terraform changes anything.

* ``unfinished_runs``: an earlier run was killed: say so, list leftovers;
* ``where_it_lives`` / ``check_place``: the place recorded in the state
  against the spec's (``generator.location``); a move is refused;
* ``review_plan``: what a plan deletes or replaces (``generator.protection``)
  and whether it moves the environment to another account;
  ``summarize_and_review``: the plan's masked summary, then that review;
* ``before_apply``: refuse, or warn and ask, before a saved plan is applied;
* ``find_leftovers``: the provider's objects that the state does not hold;
* ``deletion_blocked``: what a destroy must unprotect first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import AuthgenError

if TYPE_CHECKING:
    import argparse

    from generator.leftovers import Leftover
    from generator.protection import Review
    from generator.report import Reporter
    from generator.spec import Spec
    from generator.terraform import Runner


#: The state file of the local back end (templates/common/backend.tf.j2).
LOCAL_STATE = "terraform.tfstate"


class MoveRefused(AuthgenError):
    """The spec would move the environment to another place."""


class PlanRefused(AuthgenError):
    """The plan deletes or replaces what must not be deleted or replaced."""


def where_it_lives(spec: Spec, runner: Runner) -> tuple[dict[str, str] | None, list[Any]]:
    """The place recorded in the state (None: nothing recorded) and how the
    spec's place differs from it."""
    from generator import location, providers

    recorded = location.recorded(_state_outputs(spec, runner))
    if recorded is None:
        return None, []
    return recorded, location.moves(recorded, providers.get(spec.provider).location(spec))


def _state_outputs(spec: Spec, runner: Runner) -> dict[str, Any]:
    """The outputs recorded in the state. With the local back end they are
    read from ``build/<env>/terraform.tfstate`` itself (a JSON document
    terraform writes; no terraform process before every plan); other back
    ends are asked through ``terraform output -json``."""
    import json

    if spec.state.backend != "local":
        return runner.outputs()
    try:
        state = json.loads((runner.workdir / LOCAL_STATE).read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return runner.outputs()  # let terraform read (or refuse) it
    outputs = state.get("outputs") if isinstance(state, dict) else None
    if not isinstance(outputs, dict):
        return {}
    return {name: o.get("value") for name, o in outputs.items() if isinstance(o, dict)}


def check_place(spec: Spec, runner: Runner) -> None:
    """``MoveRefused`` when the spec moves the environment away from where
    its state says it lives; nothing has been planned or created then."""
    from generator import location

    recorded, moved = where_it_lives(spec, runner)
    if not moved:
        return
    assert recorded is not None
    raise MoveRefused(
        f"{spec.name}: the spec moves this environment ({'; '.join(str(m) for m in moved)}). "
        "authgen does not move an environment in place: terraform would create a new one "
        "there and leave the old one, live client secrets included, outside its state. "
        f"Nothing was changed. Destroy it where it lives first ('authgen destroy {spec.name}' "
        f"destroys it at {location.describe(recorded)}), then plan and apply again"
    )


def here(spec: Spec, runner: Runner, report: Reporter) -> Spec:
    """``spec`` pointed at where the state says the environment lives (what
    destroy and leftovers work on); the spec itself when it has not moved."""
    from generator import location, providers

    recorded, moved = where_it_lives(spec, runner)
    if not moved:
        return spec
    assert recorded is not None
    if any(m.key == "provider" for m in moved):
        raise MoveRefused(
            f"{spec.name}: the state holds a {recorded.get('provider')} environment but the spec "
            f"says provider {spec.provider}; put the old provider section back to work on it"
        )
    report.note(
        f"{spec.name} lives at {location.describe(recorded)} (the spec says "
        f"{'; '.join(str(m) for m in moved)}): working there"
    )
    return providers.get(spec.provider).relocated(spec, recorded)


def review_plan(
    spec: Spec, plan: dict[str, Any], summary: dict[str, Any], *, allow_replace: bool = False
) -> Review:
    """What the plan deletes or replaces, put into ``summary`` (as
    ``protection``, for plan.json / plan.md); ``MoveRefused`` when the plan
    reveals that the credentials reach another account than the one the
    environment lives in."""
    from generator import location, protection, providers

    moved = location.account_move(plan)
    if moved is not None:
        raise MoveRefused(
            f"{spec.name}: the environment lives in AWS account {moved.old} but the credentials "
            f"reach account {moved.new}; terraform would create it anew there. Nothing was "
            f"changed. Use credentials for account {moved.old}, or destroy it there first "
            f"(with those credentials: 'authgen destroy {spec.name}')"
        )
    review = protection.review(
        plan,
        summary,
        providers.get(spec.provider),
        environment=spec.name,
        protected=spec.protected,
        allow_replace=allow_replace,
    )
    summary["protection"] = review.as_dict()
    return review


def summarize_and_review(
    spec: Spec, plan: dict[str, Any], mode: str, *, allow_replace: bool = False
) -> tuple[dict[str, Any], Review]:
    """The masked summary of ``plan`` (``plan_summary.summarize``) and
    ``review_plan`` of it (which puts ``protection`` into the summary)."""
    from generator import plan_summary

    summary = plan_summary.summarize(plan, environment=spec.name, mode=mode)
    return summary, review_plan(spec, plan, summary, allow_replace=allow_replace)


def before_apply(report: Reporter, spec: Spec, review: Review, args: argparse.Namespace) -> bool:
    """Refuse a plan ``review`` does not allow (``PlanRefused``), or warn and
    ask before it deletes or replaces live objects (``--auto-approve``: no
    question). True when the user was asked (and said yes)."""
    from generator.commands.steps import confirm

    if review.refused:
        raise PlanRefused(review.refusal())
    if not review.needs_confirmation:
        return False
    report.note(review.warning())
    if getattr(args, "auto_approve", False):
        return False
    confirm(
        report,
        f"Delete or replace these live objects of {spec.name}? Callers lose access until they "
        "take the new ids and secrets.",
        action=f"apply {spec.name} (it deletes or replaces live objects)",
    )
    return True


def deletion_blocked(spec: Spec, runner: Runner) -> list[str]:
    """Addresses in the state the provider would refuse to delete as they are
    (e.g. a pool whose deletion protection is still on although the spec
    says ``protected: false``, not applied yet): a destroy must lift that first."""
    from generator import providers
    from generator.leftovers import state_resources

    entry = providers.get(spec.provider)
    return [
        r.address
        for r in state_resources(runner.state())
        if entry.deletion_blocked(r.type, r.attributes)
    ]


def forget_plan(plan_path: Path) -> None:
    """Remove a saved plan (and its fingerprint) that must not be applied."""
    from generator import plan_basis
    from generator.terraform import FINGERPRINT_SUFFIX

    plan_basis.forget(plan_path)
    plan_path.unlink(missing_ok=True)
    plan_path.with_name(plan_path.name + FINGERPRINT_SUFFIX).unlink(missing_ok=True)


def find_leftovers(spec: Spec, runner: Runner) -> list[Leftover]:
    """The provider's objects of ``spec`` that its state does not hold."""
    from generator import providers
    from generator.leftovers import state_resources

    resources = state_resources(runner.state())
    return providers.get(spec.provider).leftovers(spec, resources)


def unfinished_runs(spec: Spec, runner: Runner, report: Reporter) -> list[Leftover]:
    """When an earlier run on the environment did not finish, say so and
    list the leftovers that can be seen (the record is cleared when there are
    none). What it found."""
    from generator.unfinished import Record

    record = Record(runner.workdir)
    runs = record.unfinished()
    if not runs:
        return []
    for run in runs:
        report.note(
            f"warning: the earlier run {run} did not finish (killed or crashed); an object it "
            "was creating may exist outside the state"
        )
    try:
        found = find_leftovers(here(spec, runner, report), runner)
    except AuthgenError as err:
        report.note(
            f"warning: could not look for leftovers ({err}); run 'authgen leftovers {spec.name}'"
        )
        return []
    if not found:
        report.note("nothing was left over: every object found is in the state")
        record.clear(runs)
        return []
    for leftover in found:
        report.note(f"  leftover: {leftover.describe()}")
    report.note(
        f"delete them with 'authgen leftovers {spec.name} --delete' (or import them into the state)"
    )
    return found
