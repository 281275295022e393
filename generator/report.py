"""What commands tell the user, and the interface they tell it through.

Commands never print. They report through a ``Reporter`` (the name is
``report`` everywhere): plain lines and verbatim text on stdout, notes and
errors on stderr, one JSON document for ``--json``, a question, a progress
sink per environment while terraform runs, and the few structured things
worth a table (a plan summary, the plan of many environments, verify's
check rows). ``generator.ui`` implements it with rich for the terminal;
only ``generator.cli`` picks the implementation, so commands run the same
under a test double or a future front end.

The contract each implementation keeps (the tests pin it):

* with ``--json``, stdout holds exactly the one document given to
  ``emit`` (nothing from ``line`` or the tables); without it ``emit`` shows
  nothing;
* ``write`` puts text verbatim to stdout in both modes (``schema``,
  ``atlantis``: their output *is* the document);
* ``note`` and ``error`` go to stderr in both modes, one line each;
* ``ask`` returns ``None`` when nobody can answer (stdin is not a
  terminal), so commands refuse instead of waiting; ``interactive`` says so
  beforehand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from generator.verify import Check

#: Takes what the terraform runner reports while it works, one
#: ``generator.terraform.Event`` per call (filter on ``event.kind``), for one
#: environment.
ProgressSink = Callable[[Any], None]


@dataclass
class PlanOutcome:
    """The plan of one environment, as ``plan`` reports it (``error`` set
    when that environment failed: ``plan --all`` goes on with the others)."""

    name: str
    changes: bool = False
    summary: dict[str, Any] | None = None
    error: str | None = None
    files: list[str] = field(default_factory=list)


class Reporter(Protocol):
    """Everything a command shows goes through these methods."""

    def line(self, text: str = "") -> None:
        """One line of human output on stdout (nothing with ``--json``)."""
        ...

    def write(self, text: str) -> None:
        """``text`` verbatim on stdout, also with ``--json`` (no newline added)."""
        ...

    def note(self, text: str) -> None:
        """A note or warning on stderr."""
        ...

    def error(self, text: str) -> None:
        """An error line on stderr."""
        ...

    def emit(self, document: Mapping[str, Any]) -> None:
        """The ``--json`` document (nothing without ``--json``); once per run."""
        ...

    def ask(self, question: str) -> str | None:
        """Ask ``question``; the answer as typed, or ``None`` when nobody can
        answer (stdin is not a terminal)."""
        ...

    @property
    def interactive(self) -> bool:
        """Someone can answer ``ask`` (so a command may refuse up front, before
        any work, when it would need an answer and nobody can give one)."""
        ...

    def progress(self, env: str) -> ProgressSink:
        """A sink for the runner's progress on environment ``env``."""
        ...

    def plan_summary(self, summary: Mapping[str, Any]) -> None:
        """One environment's masked plan summary (``plan_summary.summarize``)."""
        ...

    def plan_table(self, outcomes: Sequence[PlanOutcome]) -> None:
        """One row per environment of ``plan --all``."""
        ...

    def checks(self, rows: Sequence[Check], title: str) -> None:
        """verify's rows (pass / fail / skip, detail, fix) and their count."""
        ...

    def done(self) -> None:
        """The run, or its terraform part, is over: end any live progress."""
        ...
