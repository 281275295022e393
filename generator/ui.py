"""The terminal implementation of ``generator.report.Reporter``, with rich.

Human output goes to stdout; progress, notes and errors to stderr; with
``--json`` stdout holds the one JSON document only. Tables (a plan summary,
the plan of many environments, verify's rows) are drawn with rich; while
terraform runs, a live status line shows its progress on a terminal and
selected events (progress, warnings) go to stderr elsewhere (pipelines),
prefixed by the environment name.

Only ``generator.cli`` imports this module. rich loads on first use, so
commands that draw nothing (``validate``, ``render``, ``schema``) start
without it.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from generator.report import PlanOutcome, ProgressSink

if TYPE_CHECKING:
    from generator.verify import Check

#: terraform events (``Event.kind``) shown as progress when stderr is not a terminal.
_PROGRESS = frozenset(
    {
        "initializing_provider_plugin_message",
        "refresh_start",
        "apply_start",
        "apply_progress",
        "apply_complete",
        "apply_errored",
        "change_summary",
        "diagnostic",
    }
)

#: Console width when the output is not a terminal (and COLUMNS is unset).
PIPE_WIDTH = 160

#: Row styles of the plan summary table, by action.
_ACTION_STYLE = {"create": "green", "update": "yellow", "replace": "bold red", "delete": "red"}


class ConsoleReporter:
    """A ``Reporter`` for a terminal or a pipeline log (see the module docstring).

    ``json``: stdout is the ``--json`` document only. ``color``: rich may use
    colours. ``verbose``: every terraform event goes to stderr, no status line.
    ``live``: progress as a live status line (default: when stderr is a
    terminal); otherwise selected events on stderr.
    """

    def __init__(
        self,
        *,
        json: bool = False,
        color: bool = True,
        verbose: bool = False,
        live: bool | None = None,
    ):
        self.json = json
        self.verbose = verbose
        self.color = color
        self._live = sys.stderr.isatty() if live is None else live
        self._status = None
        self._lock = threading.Lock()
        self._console = None
        self._err_console = None

    @classmethod
    def from_args(cls, args: Any) -> ConsoleReporter:
        """The reporter the common flags ask for (``--json``, ``--no-color`` or
        ``NO_COLOR``, ``-v``)."""
        return cls(
            json=bool(getattr(args, "json", False)),
            color=not (getattr(args, "no_color", False) or os.environ.get("NO_COLOR")),
            verbose=bool(getattr(args, "verbose", False)),
        )

    # -- plain text ---------------------------------------------------------

    def line(self, text: str = "") -> None:
        """A line on stdout, unless ``--json``."""
        if not self.json:
            self._pause()
            print(text, flush=True)

    def write(self, text: str) -> None:
        """``text`` verbatim on stdout."""
        sys.stdout.write(text)
        sys.stdout.flush()

    def note(self, text: str) -> None:
        """A line on stderr."""
        self._pause()
        print(text, file=sys.stderr, flush=True)

    def error(self, text: str) -> None:
        """A line on stderr."""
        self._pause()
        print(text, file=sys.stderr, flush=True)

    def emit(self, document: Mapping[str, Any]) -> None:
        """The document as indented JSON with sorted keys, only with ``--json``."""
        if self.json:
            print(json.dumps(document, indent=2, sort_keys=True), flush=True)

    @property
    def interactive(self) -> bool:
        """stdin is a terminal."""
        return sys.stdin.isatty()

    def ask(self, question: str) -> str | None:
        """The question on stderr, the answer from stdin; ``None`` without a terminal."""
        if not self.interactive:
            return None
        self._pause()
        print(question, end="", file=sys.stderr, flush=True)
        return sys.stdin.readline()

    # -- tables -------------------------------------------------------------

    def plan_summary(self, summary: Mapping[str, Any]) -> None:
        """The summary table of one plan (``plan_summary_renderable``)."""
        if not self.json:
            self._pause()
            self.console().print(plan_summary_renderable(summary))

    def plan_table(self, outcomes: Sequence[PlanOutcome]) -> None:
        """One row per environment: its counts or error, breaking replacements."""
        if not self.json:
            self._pause()
            self.console().print(plan_table_renderable(outcomes))

    def checks(self, rows: Sequence[Check], title: str) -> None:
        """verify's table of rows, then the count line."""
        from generator import verify

        if not self.json:
            self._pause()
            self.console().print(checks_renderable(rows, title=title))
            self.console().print(verify.summary(rows))

    # -- progress while terraform runs --------------------------------------

    def progress(self, env: str) -> ProgressSink:
        """A sink for terraform's events (``generator.terraform.Event``) of
        environment ``env``: a live status line on a terminal, progress events
        and warnings on stderr elsewhere; every event (and terraform's text
        outside its event stream, e.g. TF_LOG) with -v."""

        def on_event(event) -> None:
            lines = [line.rstrip() for line in event.message.splitlines() if line.strip()]
            shown = self.verbose or (event.kind in _PROGRESS and event.level != "error")
            if not lines or (event.type == "text" and not self.verbose):
                return
            with self._lock:
                if self._live and not self.verbose and event.type != "diagnostic":
                    if self._status is None:
                        self._status = self.console(stderr=True).status("")
                        self._status.start()
                    self._status.update(f"[{env}] {lines[0][:110]}")
                elif shown:
                    if self._status is not None:  # a warning outlives the status line
                        self._status.stop()
                        self._status = None
                    for line in lines if self.verbose else lines[:1]:
                        print(f"[{env}] {line}", file=sys.stderr, flush=True)

        return on_event

    def done(self) -> None:
        """End the live status line, if any."""
        self._pause()

    # -- internals ----------------------------------------------------------

    def console(self, stderr: bool = False):
        """The rich console of stdout (or stderr), made on first use."""
        from rich.console import Console

        attr = "_err_console" if stderr else "_console"
        if getattr(self, attr) is None:
            stream = sys.stderr if stderr else sys.stdout
            # Not a terminal (CI logs, a file): rich would wrap at 80 columns,
            # splitting resource addresses; give tables room unless COLUMNS says.
            width = None if stream.isatty() or os.environ.get("COLUMNS") else PIPE_WIDTH
            setattr(
                self,
                attr,
                Console(
                    stderr=stderr,
                    no_color=not self.color,
                    highlight=False,
                    soft_wrap=False,
                    width=width,
                ),
            )
        return getattr(self, attr)

    def _pause(self) -> None:
        with self._lock:
            if self._status is not None:
                self._status.stop()
                self._status = None


# --------------------------------------------------------------------------
# Renderables (pure: data in, a rich object out; the reporter prints them)


def plan_summary_renderable(summary: Mapping[str, Any]):
    """A plan summary as rich: replacement warnings, the resource table, the
    counts, the output changes."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from generator import plan_summary

    parts: list[Any] = [
        Text(f"REPLACEMENT: {warning}", style="bold red") for warning in summary["warnings"]
    ]
    if plan_summary.banner(summary):
        parts.insert(0, Text(plan_summary.banner(summary) or "", style="bold red"))
    if summary["resources"]:
        table = Table(title=f"authgen plan: {summary['environment']}", title_justify="left")
        table.add_column("Action")
        table.add_column("Resource", overflow="fold")
        table.add_column("Changed attributes", overflow="fold")
        for r in summary["resources"]:
            style = _ACTION_STYLE.get(r["action"], "")
            if r["breaking"]:
                style = "bold red reverse"
            table.add_row(
                Text(r["action"], style=style), r["address"], plan_summary.attributes_text(r)
            )
        parts.append(table)
    parts.append(Text(plan_summary.counts_line(summary), style="bold"))
    if summary["outputs"]:
        outputs = Table(title="Output changes", title_justify="left")
        for column in ("Output", "Action", "Before", "After"):
            outputs.add_column(column, overflow="fold")
        for o in summary["outputs"]:
            outputs.add_row(
                o["name"],
                o["action"],
                plan_summary.value_text(o["before"]),
                plan_summary.value_text(o["after"]),
            )
        parts.append(outputs)
    return Group(*parts)


def plan_table_renderable(outcomes: Sequence[PlanOutcome]):
    """``plan --all``: one row per environment (result, breaking replacements)."""
    from rich.table import Table
    from rich.text import Text

    from generator import plan_summary

    table = Table(title="authgen plan: all environments", title_justify="left")
    for column in ("Environment", "Result", "Breaking replacements"):
        table.add_column(column)
    for o in outcomes:
        if o.error:
            result, style = Text(f"error: {o.error}", style="red"), ""
        else:
            text = plan_summary.counts_line(o.summary)
            if o.summary.get("mode") == "retire":
                text = f"retiring: {text}"
            result, style = Text(text, style="yellow" if o.changes else "green"), ""
        breaking = len(o.summary["warnings"]) if o.summary else 0
        table.add_row(o.name, result, Text(str(breaking), style="bold red" if breaking else style))
    return table


def checks_renderable(rows: Sequence[Check], title: str | None = None):
    """verify's rows as a rich table: mark, check, detail (and the fix where one fails)."""
    from rich.table import Table
    from rich.text import Text

    from generator.verify import Status

    mark = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.SKIP: "SKIP"}
    style = {Status.PASS: "green", Status.FAIL: "bold red", Status.SKIP: "yellow"}
    table = Table(title=title, title_justify="left", show_lines=False, expand=False)
    table.add_column("", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("detail (and the fix where one fails)", overflow="fold")
    for c in rows:
        detail = Text(c.detail)
        if c.fix and c.status is not Status.PASS:
            detail.append(f"\nfix: {c.fix}", style="bold")
        table.add_row(Text(mark[c.status], style=style[c.status]), c.name, detail)
    return table
