"""Safe YAML loading that remembers where every value came from.

pyyaml's safe loader is used to *compose* the node graph; the Python values
are then built here, so that

* every key path maps to the file, line and column it was written at (error
  messages point there, even after shared defaults were merged in);
* duplicate keys are errors (pyyaml silently keeps the last one);
* hostile input fails fast with one clear line: files over ``MAX_BYTES``,
  bytes that are not UTF-8, tab indentation, alias expansion past
  ``MAX_NODES`` (the "billion laughs"), nesting past ``MAX_DEPTH``,
  non-string keys, merge keys and unknown tags.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 256 * 1024
MAX_NODES = 20_000
MAX_DEPTH = 40

Path_ = tuple[str | int, ...]

#: libyaml's C parser when pyyaml was built with it (several times faster);
#: both keep node marks, and values are built here with the safe constructor.
_COMPOSER = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader


@dataclass(frozen=True)
class Mark:
    """A place in a file: 1-based line and column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass
class Problem:
    """One thing wrong with a spec, at a place, under a key path."""

    mark: Mark | None
    path: Path_
    message: str

    def __str__(self) -> str:
        where = f"{self.mark}: " if self.mark else ""
        key = f"{format_path(self.path)}: " if self.path else ""
        return f"{where}{key}{self.message}"

    def sort_key(self) -> tuple:
        if self.mark is None:
            return ("", 0, 0)
        return (self.mark.file, self.mark.line, self.mark.column)


@dataclass
class Document:
    """Plain Python data plus the marks of its values and keys."""

    data: Any
    marks: dict[Path_, Mark] = field(default_factory=dict)
    key_marks: dict[Path_, Mark] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def mark_for(self, path: Path_, *, key: bool = False) -> Mark | None:
        """The mark of ``path`` (its key when ``key``), else of its nearest ancestor."""
        if key and path in self.key_marks:
            return self.key_marks[path]
        for n in range(len(path), -1, -1):
            mark = self.marks.get(path[:n])
            if mark is not None:
                return mark
        return None


def format_path(path: Path_) -> str:
    """``('cognito', 'clients', 0, 'scopes')`` -> ``cognito.clients[0].scopes``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def display_name(path: Path) -> str:
    """A path as the user would type it: relative to the cwd when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if relative.startswith("..") else relative


class _Fatal(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def load(path: Path) -> Document:
    """Read and parse one YAML file. Problems are collected in ``problems``;
    when parsing cannot go on, ``data`` is None and one problem says why."""
    name = display_name(path)
    try:
        return _load(path, name)
    except _Fatal as fatal:
        return Document(data=None, problems=[fatal.problem])


def _fatal(name: str, line: int, column: int, message: str) -> _Fatal:
    return _Fatal(Problem(Mark(name, line, column), (), message))


def _read_text(path: Path, name: str) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise _Fatal(Problem(None, (), f"{name}: no such file")) from None
    except OSError as err:
        raise _Fatal(Problem(None, (), f"{name}: cannot read: {err.strerror}")) from None
    if not path.is_file():
        raise _Fatal(Problem(None, (), f"{name}: not a file"))
    if size > MAX_BYTES:
        raise _Fatal(
            Problem(
                None,
                (),
                f"{name}: file is {size} bytes, more than the {MAX_BYTES} an environment "
                "spec may have; is this the right file?",
            )
        )
    raw = path.read_bytes()[: MAX_BYTES + 1]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise _fatal(
            name,
            line,
            column,
            f"byte 0x{raw[err.start]:02x} is not UTF-8; save the file as UTF-8",
        ) from None
    return text.removeprefix("\ufeff")


def _check_tabs(text: str, name: str) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            raise _fatal(
                name,
                number,
                indent.index("\t") + 1,
                "tab character in indentation; YAML indents with spaces only",
            )


#: Characters YAML does not allow in a stream (YAML 1.1 printable set).
_NON_PRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)


def _check_characters(text: str, name: str) -> None:
    found = _NON_PRINTABLE.search(text)
    if found:
        at = found.start()
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        char = found.group()
        raise _fatal(
            name,
            line,
            column,
            f"YAML: character {char!r} (U+{ord(char):04X}) is not allowed; remove it",
        )


def _load(path: Path, name: str) -> Document:
    text = _read_text(path, name)
    _check_tabs(text, name)
    _check_characters(text, name)
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = err.problem or "invalid YAML"
        if err.context and "expected a single document" in err.context:
            what = "more than one YAML document ('---'); an environment spec is one document"
        raise _fatal(
            name, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1, f"YAML: {what}"
        ) from None
    except yaml.YAMLError as err:  # not expected after the checks above; still one line
        first = str(err).strip().splitlines()[0] if str(err).strip() else "unreadable"
        raise _fatal(name, 1, 1, f"YAML: {first}") from None
    if node is None:
        raise _fatal(name, 1, 1, "file is empty; expected a mapping (name:, provider:, ...)")
    builder = _Builder(name)
    data = builder.build(node, (), 0)
    return Document(
        data=data, marks=builder.marks, key_marks=builder.key_marks, problems=builder.problems
    )


class _Builder:
    """Turns a composed node graph into plain data, recording marks."""

    def __init__(self, name: str):
        self.name = name
        self.marks: dict[Path_, Mark] = {}
        self.key_marks: dict[Path_, Mark] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.constructor = yaml.SafeLoader("")

    def mark(self, node: yaml.Node) -> Mark:
        return Mark(self.name, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Fatal(
                Problem(
                    self.mark(node),
                    path,
                    f"more than {MAX_NODES} values after expanding aliases; "
                    "remove the anchors/aliases (is this an alias bomb?)",
                )
            )
        if depth > MAX_DEPTH:
            raise _Fatal(
                Problem(
                    self.mark(node),
                    path,
                    f"nested more than {MAX_DEPTH} levels deep (a recursive alias?)",
                )
            )
        self.marks[path] = self.mark(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                return self._bad_tag(node, path)
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _bad_tag(self, node: yaml.Node, path: Path_) -> None:
        self.problems.append(
            Problem(self.mark(node), path, f"YAML tag {node.tag!r} is not allowed; remove it")
        )
        return None

    def _scalar(self, node: yaml.ScalarNode, path: Path_) -> Any:
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError:
            return self._bad_tag(node, path)

    def _mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict | None:
        if node.tag != "tag:yaml.org,2002:map":
            return self._bad_tag(node, path)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_mark = self.mark(key_node)
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(
                    Problem(
                        key_mark,
                        path,
                        "YAML merge keys ('<<') are not supported; put shared values in "
                        "environments/_defaults.yaml or use 'extends:'",
                    )
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a collection"
                self.problems.append(
                    Problem(key_mark, path, f"key {shown!r} is not a string; quote it or rename it")
                )
                continue
            key = key_node.value
            if key in out:
                first = self.key_marks[(*path, key)]
                self.problems.append(
                    Problem(
                        key_mark,
                        (*path, key),
                        f"duplicate key '{key}' (first at line {first.line}); keep one of them",
                    )
                )
                continue
            self.key_marks[(*path, key)] = key_mark
            out[key] = self.build(value_node, (*path, key), depth + 1)
        return out


def merge(base: Document, override: Document) -> Document:
    """Deep-merge ``override`` onto ``base``: mappings merge key by key; lists
    and scalars from ``override`` replace those of ``base``. Marks follow the
    value that won, so errors point at the file that wrote it."""
    merged = Document(data=None, problems=[*base.problems, *override.problems])

    def walk(b: Any, o: Any, path: Path_) -> Any:
        if isinstance(b, dict) and isinstance(o, dict):
            merged.marks[path] = override.marks.get(path) or base.marks.get(path)
            out = {}
            for key in [*b.keys(), *(k for k in o if k not in b)]:
                sub = (*path, key)
                if key in o:
                    merged.key_marks[sub] = override.key_marks.get(sub) or base.key_marks.get(sub)
                    if key in b:
                        out[key] = walk(b[key], o[key], sub)
                    else:
                        out[key] = copy(o[key], sub, override)
                else:
                    merged.key_marks[sub] = base.key_marks.get(sub)
                    out[key] = copy(b[key], sub, base)
            return out
        return copy(o, path, override)

    def copy(value: Any, path: Path_, source: Document) -> Any:
        for p, m in _subtree(source.marks, path):
            merged.marks[p] = m
        for p, m in _subtree(source.key_marks, path):
            merged.key_marks[p] = m
        return value

    merged.data = walk(base.data, override.data, ())
    return merged


def _subtree(marks: dict[Path_, Mark], prefix: Path_) -> Iterator[tuple[Path_, Mark]]:
    n = len(prefix)
    for p, m in marks.items():
        if p[:n] == prefix:
            yield p, m
