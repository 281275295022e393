"""Where Terraform providers come from when the registry cannot be reached.

A *filesystem mirror* is a directory in Terraform's unpacked layout
(``<dir>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/``).
``find_mirror`` looks for one in the places air-gapped machines usually keep
them; ``cli_config`` writes a CLI configuration that installs from it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

#: Checked in this order after ``TF_PLUGIN_DIR``.
WELL_KNOWN_MIRRORS = (
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    "/opt/tf-plugins",
    "/opt/terraform/plugins",
)


def _has_provider(root: Path, source: str) -> bool:
    host_ns_type = source if source.count("/") == 2 else f"registry.terraform.io/{source}"
    provider_dir = root / host_ns_type
    return provider_dir.is_dir() and any(provider_dir.iterdir())


def find_mirror(source: str = "hashicorp/aws") -> Path | None:
    """Return a filesystem mirror directory holding ``source``, or None."""
    candidates = []
    if os.environ.get("TF_PLUGIN_DIR"):
        candidates.append(os.environ["TF_PLUGIN_DIR"])
    candidates.extend(WELL_KNOWN_MIRRORS)
    for candidate in candidates:
        root = Path(candidate).expanduser()
        if _has_provider(root, source):
            return root
    return None


def cli_config(mirror: Path, sources: tuple[str, ...] = ("hashicorp/aws",)) -> str:
    """A Terraform CLI configuration that installs ``sources`` from ``mirror``
    and everything else from the registry."""
    qualified = ", ".join(
        json.dumps(s if s.count("/") == 2 else f"registry.terraform.io/{s}") for s in sources
    )
    return (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {json.dumps(str(mirror))}\n"
        f"    include = [{qualified}]\n"
        "  }\n"
        "  direct {\n"
        f"    exclude = [{qualified}]\n"
        "  }\n"
        "}\n"
    )
