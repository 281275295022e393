"""Every command line the README shows works as written: each ``authgen ...``
in its shell blocks, tables and inline code parses with authgen's real
argument parser, each flag it names belongs to the command it is named for
(or, in prose, to some command), and each ``make ...`` is a target of the
Makefile."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from generator.cli import build_parser

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"

FENCE = re.compile(r"^[ \t]*```(\w*)\n(.*?)^[ \t]*```", re.S | re.M)
SPAN = re.compile(r"`([^`\n]+)`")
CALL = re.compile(r"(?<![\w/.-])(?:\.venv/bin/)?authgen ([^#;|&)`>\n]+)")
MAKE = re.compile(r"(?<![\w/.-])make ([a-z][\w|-]*)")
SHELL_LANGUAGES = {"", "sh", "bash", "console", "shell"}
#: Placeholders the README writes, and a value the parser accepts for each.
PLACEHOLDERS = {
    "ENV...": "dev",
    "ENV": "dev",
    "REF": "main",
    "FILE": "x.json",
    "NAME": "x",
    "URL": "https://example.com/token",
    "DIR": "x",
    "ID": "x",
    "SECONDS": "5",
    "N": "2",
    "SCOPE": "read",
}


def parser_parts() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return parser, dict(sub.choices)


def actions(command: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The sub-commands of a command that has them (``state bootstrap``, ...)."""
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def words(text: str) -> list[str]:
    """Shell words with the README's placeholders filled in."""
    text = re.sub(r"<[^>]+>", "x", text.replace("\\|", "|"))
    text = re.sub(r"\[([^\]]*)\]", r"\1", text)  # optional parts: try them
    return [PLACEHOLDERS.get(w, w) for w in shlex.split(text)]


def alternatives(text: str) -> list[list[str]]:
    """``plan ENV | --all`` -> ``[[plan, dev], [plan, --all]]``."""
    first, *rest = [part.strip() for part in text.replace("\\|", "|").split(" | ")]
    head = words(first)
    return [head, *([head[0], *words(alt)] for alt in rest)]


def readme_parts() -> tuple[list[str], list[str]]:
    """(lines of the shell blocks, the text outside any fenced block)."""
    text = README.read_text()
    shell = [
        line
        for language, body in FENCE.findall(text)
        if language in SHELL_LANGUAGES
        for line in body.splitlines()
    ]
    return shell, FENCE.sub("", text)


def invocations() -> list[tuple[str, list[str]]]:
    """(where, argv) of every authgen command line the README shows."""
    _, commands = parser_parts()
    shell, prose = readme_parts()
    found = []
    for line in shell:
        for match in CALL.finditer(line):
            first = (match.group(1).split() or [""])[0]
            if first in commands or first.startswith("-"):  # not prose ("installs authgen with")
                for argv in alternatives(match.group(1)):
                    found.append((line.strip(), argv))
    for span in SPAN.findall(prose):
        text = re.sub(r"^(?:\.venv/bin/)?authgen ", "", span)
        first = text.split()[0] if text.split() else ""
        if text != span and text == first:
            found.append((span, [first, "--help"]))  # a command named in prose: it exists
        elif text != span or (first in commands and re.search(r" (--\w|-\w( |$))", text)):
            # (a fragment like `plan --all -j 2`; `init -json` is terraform's)
            for argv in alternatives(text):
                found.append((span, argv))
    return found


def test_the_readme_shows_commands():
    where = {w for w, _ in invocations()}
    assert len(where) >= 25, sorted(where)


@pytest.mark.parametrize(("where", "argv"), invocations(), ids=lambda v: str(v)[:60])
def test_every_authgen_command_line_parses(where, argv):
    parser, _ = parser_parts()
    try:
        parser.parse_args(argv)
    except SystemExit as exit_:
        if exit_.code != 0:  # --help exits 0
            pytest.fail(f"README: `{where}` -> authgen {' '.join(argv)} does not parse")


def test_every_flag_in_a_command_row_belongs_to_that_command():
    _, commands = parser_parts()
    _, prose = readme_parts()
    problems, rows = [], 0
    for line in prose.splitlines():
        cells = line.split(" | ")
        spans = SPAN.findall(line)
        if not line.startswith("| `authgen ") or not spans:
            continue
        rows += 1
        command, *rest = spans[0].split()[1:]
        parser = commands[command]
        if actions(parser) and rest and rest[0] in actions(parser):  # `authgen state pull ENV`
            parser = actions(parser)[rest[0]]
        options = parser._option_string_actions
        for span in spans[1:]:
            if span.startswith("-") and span.split()[0] not in options:
                problems.append(f"{command}: {span} is not one of its flags ({cells[0]})")
    assert rows >= 10
    assert not problems, "\n".join(problems)


def test_every_flag_in_the_prose_exists():
    parser, commands = parser_parts()
    _, prose = readme_parts()
    known = set(parser._option_string_actions)
    for sub in commands.values():
        known |= set(sub._option_string_actions)
        for nested in actions(sub).values():
            known |= set(nested._option_string_actions)
    # authgen's flags: --long, or one letter (-v, -j N); terraform's (-json, -platform=...) aside
    flags = [s for s in SPAN.findall(prose) if re.match(r"--\w|-\w( |$)", s)]
    assert "--json" in flags and "--include-emulated" in flags
    unknown = sorted({f for f in flags if f.split()[0] not in known})
    assert not unknown, f"README names flags no command has: {unknown}"


def make_targets() -> set[str]:
    targets = set()
    for line in (REPO / "Makefile").read_text().splitlines():
        match = re.match(r"^([a-z][\w -]*):(?!=)", line)
        if match:
            targets.update(match.group(1).split())
    return targets


def test_every_make_command_is_a_target():
    shell, prose = readme_parts()
    named = [m for line in shell for m in MAKE.findall(line)]
    named += [m for span in SPAN.findall(prose) for m in MAKE.findall(span)]
    assert len(named) >= 10
    targets = make_targets()
    missing = sorted({t for m in named for t in m.split("|") if t not in targets})
    assert not missing, f"README names make targets the Makefile lacks: {missing}"


def test_the_checks_catch_a_false_claim():
    """The walk means something: a flag or target that does not exist fails."""
    parser, commands = parser_parts()
    with pytest.raises(SystemExit):
        parser.parse_args(words("plan dev --no-such-flag"))
    assert "--include-emulated" not in commands["plan"]._option_string_actions
    assert "nosuchtarget" not in make_targets()
    assert alternatives("validate ENV... \\| --all") == [["validate", "dev"], ["validate", "--all"]]
