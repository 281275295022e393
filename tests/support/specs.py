"""Spec texts and a spec-error helper shared by the spec tests
(tests/test_authorizer_spec.py, tests/test_spec_errors.py,
tests/test_oidc_presets.py).

Expected messages in those tests name lines and columns of these texts:
change a text here and their expectations move with it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generator import spec
from generator.errors import SpecError

#: A valid ``dev`` environment on Auth0: one API, one client.
AUTH0_DEV = textwrap.dedent(
    """\
    name: dev
    provider: auth0
    gateway: my-gateway
    auth0:
      domain: dev-example.us.auth0.com
      api:
        name: gateway-api
        identifier: gateway123
        scopes:
          - {name: "invoke:gateway", description: Invoke}
      clients:
        - name: m2m
          scopes: ["invoke:gateway"]
    """
)


def load_problems(path: Path) -> list[str]:
    """The problem lines of the spec at ``path``; fails the test when it loads."""
    with pytest.raises(SpecError) as caught:
        spec.load(path)
    return caught.value.problems
