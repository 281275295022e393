"""Flag groups several commands share; each command's ``add_arguments``
takes the groups it needs, then adds its own flags."""

from __future__ import annotations

import argparse
import re


def common(parser: argparse.ArgumentParser, *, nested: bool = False) -> None:
    """``--json``, ``--no-color``, ``-v``: how a run reports (every command).

    ``nested``: for the sub-commands of a command (``state bootstrap``), which
    take the flags after their own name too; their defaults are left out so
    that they never reset a flag given before the sub-command's name.
    """
    extra = {"default": argparse.SUPPRESS} if nested else {}
    parser.add_argument(
        "--json", action="store_true", help="machine-readable output on stdout", **extra
    )
    parser.add_argument(
        "--no-color", action="store_true", help="no colours (also NO_COLOR=1)", **extra
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show all terraform output", **extra
    )


def environments(parser: argparse.ArgumentParser, *, many: bool = False) -> None:
    """``ENV`` (one environment), or with ``many`` ``ENV...`` and ``--all``."""
    if many:
        parser.add_argument("env", nargs="*", metavar="ENV", help="environment name or spec path")
        parser.add_argument("--all", action="store_true", help="every environments/*.yaml")
    else:
        parser.add_argument("env", metavar="ENV", help="environment name (dev) or spec path")


def terraform(parser: argparse.ArgumentParser) -> None:
    """``--upgrade``, ``--plugin-dir``: how ``terraform init`` gets providers."""
    parser.add_argument(
        "--upgrade",
        action="store_true",
        help="let init pick newer providers within the constraints and update the lock file",
    )
    parser.add_argument(
        "--plugin-dir",
        metavar="DIR",
        help="install providers from this mirror directory only (also TF_PLUGIN_DIR)",
    )


def credentials(parser: argparse.ArgumentParser) -> None:
    """``--client``, ``--client-id``, ``--token-endpoint``, ``--wait``: which
    client asks for a token, where, and how long to retry."""
    parser.add_argument(
        "--client", metavar="NAME", help="which client of the spec (default: the first)"
    )
    parser.add_argument(
        "--client-id",
        metavar="ID",
        help="use this client id; the secret comes from AUTHGEN_CLIENT_SECRET",
    )
    parser.add_argument("--token-endpoint", metavar="URL", help="override the token endpoint")
    parser.add_argument(
        "--scope",
        action="append",
        metavar="SCOPE",
        help="ask for this scope instead of the spec's (repeatable; Entra: "
        "api://<app>/.default, Okta: a custom scope)",
    )
    parser.add_argument(
        "--audience",
        metavar="AUD",
        help="ask for this audience instead of the spec's (Auth0-like servers)",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="retry DNS and connection errors this long (a new Cognito domain takes a while)",
    )


def discovery_wait(parser: argparse.ArgumentParser) -> None:
    """``--wait``: how long plan / apply of a provider without Terraform
    (oidc) retry DNS and connection errors of its discovery URL."""
    parser.add_argument(
        "--wait",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="oidc: retry DNS and connection errors of the discovery URL this long (default 30)",
    )


def auto_approve(parser: argparse.ArgumentParser) -> None:
    """``--auto-approve``: change without asking (pipelines)."""
    parser.add_argument("--auto-approve", action="store_true", help="do not ask (pipelines)")


#: A Go duration as terraform's -lock-timeout takes it: 30s, 5m, 1h30m, 500ms.
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+")


def duration(text: str) -> str:
    """An argparse type: a duration for ``-lock-timeout`` (a bare number is seconds)."""
    value = text.strip()
    if re.fullmatch(r"\d+", value):
        return f"{value}s"
    if _DURATION.fullmatch(value):
        return value
    raise argparse.ArgumentTypeError(f"{text!r} is not a duration; write it like 30s, 5m or 1h30m")


def state_lock(parser: argparse.ArgumentParser) -> None:
    """``--lock-timeout``: how long to wait for another run's state lock."""
    parser.add_argument(
        "--lock-timeout",
        type=duration,
        metavar="DURATION",
        help="wait this long (e.g. 5m) for a state lock another run holds; default: fail at once",
    )


def local_state(parser: argparse.ArgumentParser) -> None:
    """``--allow-local-state``: plan/apply local state in CI anyway."""
    parser.add_argument(
        "--allow-local-state",
        action="store_true",
        help="plan/apply an environment with local state although CI is set (throwaway pipelines)",
    )
