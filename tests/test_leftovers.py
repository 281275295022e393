"""generator.leftovers: telling an apply that failed on a taken name (an
object a killed run made and never recorded) from other failures.

The messages are shaped as hashicorp/aws 5.x and the Auth0 provider word
them; the end-to-end case (a real apply against objects left by a killed
run) is in tests/test_day2_leftovers_trigger.py.
"""

from __future__ import annotations

import pytest

from generator.leftovers import name_taken, taken_name_hint

TAKEN = [
    "creating IAM Role (gw-claims): operation error IAM: CreateRole, https response error "
    "StatusCode: 409, RequestID: 1, EntityAlreadyExists: Role with name gw-claims already exists.",
    "creating Lambda Function (gw-claims): operation error Lambda: CreateFunction, https "
    "response error StatusCode: 409, ResourceConflictException: Function already exist: gw-claims",
    "creating CloudWatch Logs Log Group (/aws/lambda/gw-claims): operation error CloudWatch Logs: "
    "CreateLogGroup, ResourceAlreadyExistsException: The specified log group already exists",
    "creating Cognito User Pool Domain (gw): InvalidParameterException: Domain already "
    "associated with another user pool.",
    "409 Conflict: A resource server with the same identifier already exists.",
]
OTHER = [
    "creating Cognito User Pool Client (c): InvalidParameterException: Invalid scope requested",
    "Error acquiring the state lock: ConditionalCheckFailedException",
    "reading Cognito User Pool (x): couldn't find resource",
    "",
]


@pytest.mark.parametrize("message", TAKEN)
def test_a_taken_name_is_recognised(message):
    assert name_taken([OTHER[0], message])


def test_other_failures_are_not_a_taken_name():
    assert not name_taken(OTHER)
    assert not name_taken([])


def test_the_hint_names_the_environment_and_both_commands():
    hint = taken_name_hint("dev")
    assert hint.startswith("; ")
    assert "'authgen leftovers dev' lists it" in hint
    assert "'authgen leftovers dev --delete' removes it" in hint
