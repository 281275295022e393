"""Heavy libraries load only in the commands that use them, so validate and
render start fast (the start-up benchmark measures the time itself)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
HEAVY = ["rich", "python_terraform", "boto3", "botocore", "auth0", "requests", "jwt", "moto"]

PROBE = f"""
import json, sys
from generator.cli import main
code = main(sys.argv[1:])
print(json.dumps({{"code": code, "loaded": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""


@pytest.mark.parametrize(
    ("argv", "allowed"),
    [
        (["validate", "dev"], []),
        (["validate", "--all"], []),
        (["render", "dev", "--json"], []),
        (["schema"], []),
    ],
)
def test_light_commands_import_nothing_heavy(tmp_path, argv, allowed):
    # run in a copy so render writes nowhere in the repo
    (tmp_path / "environments").symlink_to(REPO / "environments")
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    last = json.loads(result.stdout.strip().splitlines()[-1])
    assert last["code"] == 0, result.stderr
    assert sorted(set(last["loaded"]) - set(allowed)) == []
