"""The commands of authgen, one module each, in the order ``--help`` lists them.

A command module has a docstring (what it does, for people), ``HELP`` (its
one line in ``--help``), ``add_arguments(parser)`` (its flags; shared groups
come from ``commands.options``) and ``run(args, report) -> int`` (the exit
code). It reports through ``report`` (``generator.report.Reporter``), never
prints, and never imports the CLI. Shared steps are in ``commands.steps``.

A new command is one new module plus one line in ``COMMANDS``. Command
modules import only light modules at the top: the CLI imports them all to
build its parser, and ``authgen validate`` must start fast.
"""

from __future__ import annotations

from types import ModuleType

from generator.commands import (
    apply,
    atlantis,
    attach,
    authorizer,
    changed,
    destroy,
    emulator,
    init,
    leftovers,
    plan,
    render,
    schema,
    state,
    token,
    validate,
    verify,
)

#: Every command, in the order ``authgen --help`` lists them.
COMMANDS: tuple[ModuleType, ...] = (
    validate,
    render,
    plan,
    apply,
    destroy,
    state,
    leftovers,
    authorizer,
    token,
    verify,
    attach,
    changed,
    atlantis,
    schema,
    emulator,
    init,
)


def name(command: ModuleType) -> str:
    """The command's name on the command line: its module's name."""
    return command.__name__.rpartition(".")[2]


def by_name() -> dict[str, ModuleType]:
    """``{command name: module}`` of ``COMMANDS``."""
    return {name(command): command for command in COMMANDS}
