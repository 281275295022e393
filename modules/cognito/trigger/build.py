"""Build pre-token-generation.zip from handler.py, byte for byte the same on
every machine: one stored (uncompressed) entry, a fixed time stamp
(1980-01-01 00:00) and fixed permissions (0644). The zip is committed, so the
module needs no archive provider; rebuild it after changing handler.py:

    python3 modules/cognito/trigger/build.py          # writes the zip
    python3 modules/cognito/trigger/build.py --check  # exit 1 when it is stale

Standard library only.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "handler.py"
ZIP = HERE / "pre-token-generation.zip"
ENTRY = "handler.py"  # the function's handler is handler.handler
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
MODE = 0o100644  # a regular file, rw-r--r--


def archive(source: Path = SOURCE) -> bytes:
    """The zip's bytes for ``source``."""
    info = zipfile.ZipInfo(ENTRY, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3  # Unix, so external_attr holds the mode
    info.external_attr = MODE << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(info, source.read_bytes())
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    wanted = archive()
    if "--check" in argv:
        if not ZIP.is_file() or ZIP.read_bytes() != wanted:
            print(f"{ZIP} is stale: run python3 {Path(__file__)}", file=sys.stderr)
            return 1
        return 0
    if not ZIP.is_file() or ZIP.read_bytes() != wanted:
        ZIP.write_bytes(wanted)
        print(f"wrote {ZIP}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
