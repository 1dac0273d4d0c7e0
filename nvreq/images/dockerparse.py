"""Reading a Dockerfile into instructions: directives, comments, continuations, heredocs.

Follows moby/buildkit frontend/dockerfile/parser/{parser,directives,split_command,line_parsers}.go
@ 73ed682 (Apache-2.0).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass

from nvreq.images.errors import DockerfileError

__all__ = ["MAX_DOCKERFILE", "MAX_LINE", "Instruction", "err", "parse", "read", "words"]

MAX_DOCKERFILE = 1 << 20
MAX_LINE = 65535
_INSTRUCTIONS = frozenset({"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM",
                           "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL",
                           "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"})
_DIRECTIVE = re.compile(r"#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_HEREDOC = re.compile(r"<<(-?)(['\"]?)([A-Za-z0-9_.-]+)\2")


@dataclass(frozen=True, slots=True)
class Instruction:
    """One instruction: its first line, upper-case keyword, flags and argument text."""

    line: int
    keyword: str
    flags: tuple[str, ...]
    args: str


def read(path: str) -> str:
    """The Dockerfile's text (``-`` is stdin): at most 1 MiB of UTF-8, BOM removed."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_DOCKERFILE + 1)
        else:
            with open(os.path.expanduser(path), "rb") as f:
                data = f.read(MAX_DOCKERFILE + 1)
    except OSError as exc:
        raise DockerfileError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_DOCKERFILE:
        raise err(path, None, "Dockerfile larger than 1 MiB")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise err(path, None, f"not UTF-8 (byte {exc.start})") from None


def parse(path: str, text: str) -> tuple[str, list[Instruction], list[str]]:
    """The escape character, the instructions and warnings of a Dockerfile's text."""
    lines = text.replace("\r\n", "\n").split("\n")
    escape, warnings, seen = "\\", [], set()
    i = 0
    while i < len(lines):
        m = _DIRECTIVE.fullmatch(lines[i].strip())
        if not m or m.group(1).lower() not in ("syntax", "escape", "check"):
            break
        key, value = m.group(1).lower(), m.group(2)
        if key in seen:
            raise err(path, i + 1, f"only one {key} parser directive can be used")
        seen.add(key)
        if key == "escape":
            if value not in ("\\", "`"):
                raise err(path, i + 1, f"invalid escape token '{value}' does not "
                                      "match ` or \\")
            escape = value
        elif key == "syntax" and not re.match(r"(docker\.io/)?docker/dockerfile(-upstream)?"
                                              r"([:@]|$)", value):
            warnings.append(f"custom frontend {value}; nvreq applies the standard Dockerfile "
                            "rules")
        i += 1
    out: list[Instruction] = []
    while i < len(lines):
        if len(lines[i].encode()) > MAX_LINE:
            raise err(path, i + 1, f"dockerfile line greater than max allowed size "
                                  f"of {MAX_LINE}")
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start, text_ = i + 1, lines[i].lstrip()
        while _continues(text_, escape):
            text_ = text_.rstrip(" \t")[:-1]
            i += 1
            while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
                i += 1
            if i >= len(lines):
                break
            text_ += lines[i]
        i += 1
        keyword, _, rest = text_.strip().partition(" ") if " " in text_.strip() else (
            text_.strip().partition("\t"))
        keyword = keyword.upper()
        rest = rest.strip()
        if keyword not in _INSTRUCTIONS:
            raise err(path, start, f"unknown instruction: {keyword}")
        flags: list[str] = []
        while rest.startswith("--"):
            flag, _, rest = rest.partition(" ")
            flags.append(flag[2:])
            rest = rest.lstrip()
        sub = rest.split(None, 1)[0].upper() if keyword == "ONBUILD" and rest else ""
        if (keyword in ("RUN", "COPY", "ADD") or sub in ("RUN", "COPY", "ADD")) and not (
                rest.startswith("[")):
            for m in _HEREDOC.finditer(rest):
                strip_tabs, word = m.group(1) == "-", m.group(3)
                while True:
                    if i >= len(lines):
                        raise err(path, start, "unterminated heredoc")
                    body = lines[i].lstrip("\t") if strip_tabs else lines[i]
                    i += 1
                    if body == word:
                        break
        out.append(Instruction(start, keyword, tuple(flags), rest))
    if not out:
        raise err(path, None, "file with no instructions")
    return escape, out, warnings


def _continues(text: str, escape: str) -> bool:
    return text.rstrip(" \t").endswith(escape) and not text.lstrip().startswith("#")


def words(rest: str, escape: str) -> list[str]:
    """BuildKit's ``parseWords``: split at unquoted whitespace, keeping quotes and escapes."""
    words, word, quote, blank_ok, in_word = [], "", "", False, False
    i, n = 0, len(rest)
    while i < n:
        ch = rest[i]
        if not in_word and not quote:
            if ch.isspace():
                i += 1
                continue
            in_word = True
        if quote:
            if ch == quote:
                quote = ""
            elif ch == escape and quote != "'":
                if i + 1 == n:
                    i += 1
                    continue
                word += ch
                i += 1
                ch = rest[i]
            word += ch
            i += 1
            continue
        if ch.isspace():
            if blank_ok or word:
                words.append(word)
            word, blank_ok, in_word = "", False, False
            i += 1
            continue
        if ch in ("'", '"'):
            quote, blank_ok = ch, True
        if ch == escape:
            if i + 1 == n:
                i += 1
                continue
            word += ch
            i += 1
            ch = rest[i]
        word += ch
        i += 1
    if blank_ok or word:
        words.append(word)
    return words


def err(path: str, line: int | None, message: str) -> DockerfileError:
    """``PATH:LINE: message``, the reference being the file and line."""
    return DockerfileError(message, reference=path if line is None else f"{path}:{line}")
