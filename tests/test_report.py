"""The Reporter seam: commands run against any implementation of
``generator.report.Reporter`` (here a recorder), and the terminal one
(``generator.ui.ConsoleReporter``) keeps the stdout/stderr/``--json``
contract the CLI tests rely on."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from generator import commands
from generator.commands import steps
from generator.errors import AuthgenError
from generator.report import PlanOutcome, ProgressSink, Reporter
from generator.ui import ConsoleReporter

REPO = Path(__file__).resolve().parent.parent


class Recorder:
    """A Reporter that keeps what it is told, and answers questions from a list."""

    def __init__(self, answers: Sequence[str | None] = ()):
        self.said: list[tuple[str, Any]] = []
        self.answers = list(answers)

    @property
    def interactive(self) -> bool:
        return bool(self.answers) and self.answers[0] is not None

    def line(self, text: str = "") -> None:
        self.said.append(("line", text))

    def write(self, text: str) -> None:
        self.said.append(("write", text))

    def note(self, text: str) -> None:
        self.said.append(("note", text))

    def error(self, text: str) -> None:
        self.said.append(("error", text))

    def emit(self, document: Mapping[str, Any]) -> None:
        self.said.append(("emit", document))

    def ask(self, question: str) -> str | None:
        self.said.append(("ask", question))
        return self.answers.pop(0)

    def progress(self, env: str) -> ProgressSink:
        return lambda item: self.said.append(("progress", (env, item)))

    def plan_summary(self, summary: Mapping[str, Any]) -> None:
        self.said.append(("plan_summary", summary))

    def plan_table(self, outcomes: Sequence[PlanOutcome]) -> None:
        self.said.append(("plan_table", outcomes))

    def checks(self, rows, title: str) -> None:
        self.said.append(("checks", (rows, title)))

    def done(self) -> None:
        self.said.append(("done", None))

    def kinds(self, kind: str) -> list[Any]:
        return [what for k, what in self.said if k == kind]


def parse(*argv: str) -> argparse.Namespace:
    from generator.cli import build_parser

    return build_parser().parse_args(list(argv))


def test_a_recorder_is_a_reporter():
    recorder: Reporter = Recorder()  # the type checker's view; at run time, the calls below
    assert callable(recorder.progress("dev"))


def test_every_command_is_a_module_with_help_flags_and_run():
    names = [commands.name(c) for c in commands.COMMANDS]
    assert names == [
        "validate",
        "render",
        "plan",
        "apply",
        "destroy",
        "state",
        "leftovers",
        "authorizer",
        "token",
        "verify",
        "attach",
        "changed",
        "atlantis",
        "schema",
        "emulator",
        "init",
    ]
    for command in commands.COMMANDS:
        assert command.__doc__ and command.HELP
        assert callable(command.add_arguments) and callable(command.run)
        assert command.run.__doc__, f"{commands.name(command)}.run has no docstring"


def imports(path: Path, module: str) -> bool:
    """``path`` has an import statement of ``generator.<module>``."""
    pattern = rf"^\s*(from generator\.{module}\b|from generator import .*\b{module}\b|import generator\.{module}\b)"
    return re.search(pattern, path.read_text(), re.MULTILINE) is not None


def test_commands_never_import_the_cli_or_the_ui():
    for path in (REPO / "generator" / "commands").glob("*.py"):
        assert not imports(path, "cli"), path.name
        assert not imports(path, "ui"), path.name


def test_only_the_cli_imports_the_ui():
    importers = [
        path.relative_to(REPO).as_posix()
        for path in sorted((REPO / "generator").rglob("*.py"))
        if imports(path, "ui")
    ]
    assert importers == ["generator/cli.py"]


def test_validate_reports_through_any_reporter(monkeypatch):
    monkeypatch.chdir(REPO)
    recorder = Recorder()
    code = commands.by_name()["validate"].run(parse("validate", "dev", "staging"), recorder)
    assert code == 0
    assert recorder.kinds("line") == [
        "ok  environments/dev.yaml  (cognito, gateway my-gateway, us-west-2)",
        "ok  environments/staging.yaml  (auth0, gateway my-gateway, dev-example.us.auth0.com)",
    ]
    (document,) = recorder.kinds("emit")
    assert [r["provider"] for r in document["results"]] == ["cognito", "auth0"]
    assert recorder.kinds("error") == []


def test_confirm_refuses_when_nobody_can_answer():
    with pytest.raises(AuthgenError, match="stdin is not a terminal; pass --auto-approve"):
        steps.confirm(Recorder([None]), "Apply?", action="apply dev")


def test_confirm_takes_only_the_expected_answer():
    steps.confirm(Recorder(["dev\n"]), "Destroy?", action="destroy dev", expect="dev")
    recorder = Recorder(["yes\n"])
    with pytest.raises(AuthgenError, match="cancelled; nothing was changed"):
        steps.confirm(recorder, "Destroy?", action="destroy dev", expect="dev")
    assert recorder.kinds("ask") == ["Destroy? Type 'dev' to proceed: "]


def test_console_reporter_with_json_keeps_stdout_for_the_document(capsys):
    report = ConsoleReporter(json=True)
    report.line("human")
    report.plan_table([PlanOutcome("dev", changes=False, summary=None)])
    report.note("a note")
    report.error("an error")
    report.emit({"b": 1, "a": [1]})
    out, err = capsys.readouterr()
    assert json.loads(out) == {"a": [1], "b": 1}
    assert err == "a note\nan error\n"


def test_console_reporter_without_json_shows_lines_not_the_document(capsys):
    report = ConsoleReporter(json=False, color=False)
    report.line("human")
    report.write("verbatim")
    report.emit({"a": 1})
    assert capsys.readouterr().out == "human\nverbatim"


def test_console_reporter_does_not_ask_without_a_terminal(monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))  # a pipe, not a terminal
    assert ConsoleReporter().interactive is False
    assert ConsoleReporter().ask("Apply? ") is None
    assert capsys.readouterr().err == ""


def test_progress_off_a_terminal_shows_progress_events_and_warnings(capsys):
    from generator.terraform import Diagnostic, Event

    creating = Event(
        "apply_start",
        "module.auth.aws_cognito_user_pool.this: Creating...",
        command="apply",
        address="module.auth.aws_cognito_user_pool.this",
        action="create",
    )
    chatter = Event("log", "terraform.io/builtin/terraform is built in to Terraform")
    warning = Event(
        "diagnostic",
        "Warning: Value for undeclared variable: A variable named x was assigned",
        level="warn",
        diagnostic=Diagnostic("warning", "Value for undeclared variable"),
    )
    error = Event(
        "diagnostic",
        "Error: Saved plan is stale: The given plan file can no longer be applied",
        level="error",
        diagnostic=Diagnostic("error", "Saved plan is stale"),
    )
    tf_log = Event("text", "2026-12-01T00:00:00Z [DEBUG] provider: starting", stream="stderr")
    plugins = Event(
        "init_output",
        "Initializing provider plugins...",
        code="initializing_provider_plugin_message",
    )
    report = ConsoleReporter(live=False)
    sink = report.progress("dev")
    for event in (creating, chatter, warning, error, tf_log, plugins, Event("log", "\n")):
        sink(event)
    report.done()
    assert capsys.readouterr().err == (
        "[dev] module.auth.aws_cognito_user_pool.this: Creating...\n"
        "[dev] Warning: Value for undeclared variable: A variable named x was assigned\n"
        "[dev] Initializing provider plugins...\n"
    )  # errors come once, as the run's error line; chatter and TF_LOG only with -v
    verbose = ConsoleReporter(verbose=True, live=False)
    for event in (chatter, tf_log):
        verbose.progress("dev")(event)
    assert capsys.readouterr().err == (
        "[dev] terraform.io/builtin/terraform is built in to Terraform\n"
        "[dev] 2026-12-01T00:00:00Z [DEBUG] provider: starting\n"
    )
