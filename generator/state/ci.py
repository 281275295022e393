"""Pipelines never plan or apply on state they will lose.

A CI runner is thrown away when its job ends, and local state
(``build/<env>/terraform.tfstate``) with it: the next run starts from empty
state and plans to create everything again (for Cognito a second user pool,
then a failure on the domain prefix, which is unique). So while ``CI`` is set
(GitHub Actions, GitLab CI, CircleCI, Buildkite, ... set ``CI=true``),
``plan`` and ``apply`` refuse an environment whose state is local, unless the
user says the pipeline is a throwaway one (``--allow-local-state``), and
``validate`` warns.

There is no automatic exemption, not even for an environment that targets an
emulator: the rule is one sentence a reviewer can check, and a pipeline that
means to throw its state away says so on its command line. ``make demo``
(an emulator that lives exactly as long as the demo) passes the flag.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from generator.yaml_source import display_name

if TYPE_CHECKING:
    from generator.spec import Spec

#: The variable CI systems set (to ``true``).
CI_VARIABLE = "CI"
#: Values of ``CI`` that mean "not in CI".
NOT_CI = frozenset({"", "0", "false", "no", "off"})


def in_ci(env: Mapping[str, str] | None = None) -> bool:
    """``CI`` is set to something other than an empty or false value."""
    value = (os.environ if env is None else env).get(CI_VARIABLE)
    return value is not None and value.strip().lower() not in NOT_CI


def local_state_problem(spec: Spec, env: Mapping[str, str] | None = None) -> str | None:
    """Why a pipeline must not plan or apply ``spec`` (one line), or None.

    None unless ``CI`` is set and the state is local; None for a provider
    without Terraform resources (``oidc``: it keeps no state at all).
    """
    from generator import providers

    if spec.state.backend != "local" or not in_ci(env):
        return None
    if providers.get(spec.provider).module is None:
        return None
    where = display_name(spec.path) if spec.path is not None else spec.name
    return (
        f"{where}: state.backend: local state in CI (CI is set) is lost with the runner when "
        f"the job ends, and the next run would create every resource of {spec.name} again; "
        "give the environment remote state (state: {backend: s3, bucket: ...}, then "
        f"'authgen state bootstrap {spec.name}'; or state: {{backend: cloud, ...}}), or pass "
        "--allow-local-state for a throwaway pipeline"
    )
