"""Run terraform on one rendered root module (``build/<env>/``).

This package is the only importer of ``python_terraform``. python-terraform
0.10.1 predates Terraform 1.x, so its command wrappers are not used: their
defaults send flags Terraform 1.x refuses or that change behaviour
(``destroy`` adds the removed ``-force``; ``plan``/``apply``/``destroy``/``init``
add ``-var-file=<a temp file holding {}>``, which only ``cmd``'s synchronous
path removes; ``init`` adds ``-reconfigure -backend=true``; ``apply`` sends
``-auto-approve=false``; ``output(name)`` fails). ``cmd(..., synchronous=False)``
leaks ``-synchronous=false`` into the command line, and ``cmd`` logs captured
stdout at debug level, which for ``output -json`` holds secrets. We use its
flag builder (``generate_cmd_string``) with explicit options for every call,
and run the command ourselves.

Terraform is driven through its machine interface: ``init``, ``plan``,
``apply`` and ``destroy`` run with ``-json`` (hence Terraform >= 1.9, checked
once per binary), and progress, diagnostics, stale saved plans, held state
locks and provider installation failures are read from the typed events and
diagnostics, never from its human text; ``show -json`` and ``output -json``
give the documents. The rooms:

* ``process``: spawning, streaming, signals (terraform never outlives authgen,
  runs with umask 077, gets exactly the interrupts authgen gets);
* ``events``: the event stream as ``Event`` / ``Diagnostic`` / ``LockInfo``;
* ``failures``: a failed run as ``TerraformFailed`` and its meaningful kinds;
* ``plans``: fingerprints of saved plans and of init;
* ``version``: the version check;
* ``rootdir``: the repo's lock file, the plugin cache, private file modes;
* ``record``: what was being created when an authgen run was killed;
* ``scrub``: masking known secrets in everything passed on;
* ``runner``: the ``Runner`` facade of terraform verbs.
"""

from generator.terraform.events import DIAGNOSTIC, TEXT, Diagnostic, Event, LockInfo
from generator.terraform.failures import (
    ProviderUnavailable,
    StalePlanError,
    StateLocked,
    TerraformFailed,
    TerraformVersionError,
)
from generator.terraform.plans import FINGERPRINT_SUFFIX, INIT_STAMP, LOCK_FILE_NAME, PlanResult
from generator.terraform.record import RECORD_NAME, RunRecord
from generator.terraform.rootdir import CACHE_LOCK_NAME, default_plugin_cache_dir
from generator.terraform.runner import Runner, StateSnapshot
from generator.terraform.version import MIN_VERSION

__all__ = [
    "CACHE_LOCK_NAME",
    "DIAGNOSTIC",
    "FINGERPRINT_SUFFIX",
    "INIT_STAMP",
    "LOCK_FILE_NAME",
    "MIN_VERSION",
    "RECORD_NAME",
    "TEXT",
    "Diagnostic",
    "Event",
    "LockInfo",
    "PlanResult",
    "ProviderUnavailable",
    "RunRecord",
    "Runner",
    "StalePlanError",
    "StateLocked",
    "StateSnapshot",
    "TerraformFailed",
    "TerraformVersionError",
    "default_plugin_cache_dir",
]
