"""``dockerfile:PATH``: the Env the Dockerfile would give the image, without building it (§2.9).

Follows BuildKit's Dockerfile frontend (moby/buildkit frontend/dockerfile @ 73ed682: parser/,
instructions/, dockerfile2llb/); words are processed by :mod:`nvreq.images.shellword`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from nvreq.images.errors import DockerfileError, ImageError
from nvreq.images.info import ImageInfo
from nvreq.images.platforms import Platform, machine_platform, parse_platform
from nvreq.images.shellword import WordError, process_word

__all__ = ["DEFAULT_PATH", "MAX_DOCKERFILE", "read_dockerfile"]

MAX_DOCKERFILE = 1 << 20
MAX_LINE = 65535
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_INSTRUCTIONS = frozenset({"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM",
                           "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL",
                           "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"})
_DIRECTIVE = re.compile(r"#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_HEREDOC = re.compile(r"<<(-?)(['\"]?)([A-Za-z0-9_.-]+)\2")
_STAGE_NAME = re.compile(r"[a-z][a-z0-9-_.]*")

BaseReader = Callable[[str, Platform], ImageInfo]


@dataclass(frozen=True, slots=True)
class _Instruction:
    line: int
    keyword: str
    flags: tuple[str, ...]
    args: str


@dataclass(slots=True)
class _Stage:
    name: str | None
    base: str
    platform: str | None
    line: int
    body: list[_Instruction] = field(default_factory=list)


@dataclass(slots=True)
class _State:
    env: list[tuple[str, str]]
    expand: dict[str, str]
    origins: dict[str, str]
    onbuild: list[_Instruction]


def read_dockerfile(path: str, given: str, target: Platform, source: str, *,
                    build_args: Sequence[str] = (), target_stage: str | None = None,
                    no_base: bool = False, base_reader: BaseReader | None = None) -> ImageInfo:
    """Evaluate the Env of ``target_stage`` (default: the last) for ``target``."""
    text = _read(path)
    return _Evaluator(path, text, target, _build_args(build_args), no_base,
                      base_reader).run(given, target_stage, source)


def _read(path: str) -> str:
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_DOCKERFILE + 1)
        else:
            with open(os.path.expanduser(path), "rb") as f:
                data = f.read(MAX_DOCKERFILE + 1)
    except OSError as exc:
        raise DockerfileError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_DOCKERFILE:
        raise _err(path, None, "Dockerfile larger than 1 MiB")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise _err(path, None, f"not UTF-8 (byte {exc.start})") from None


def _build_args(items: Sequence[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq:
            if key not in os.environ:
                continue
            value = os.environ[key]
        out[key] = value
    return out


def _parse(path: str, text: str) -> tuple[str, list[_Instruction], list[str]]:
    lines = text.replace("\r\n", "\n").split("\n")
    escape, warnings, seen = "\\", [], set()
    i = 0
    while i < len(lines):
        m = _DIRECTIVE.fullmatch(lines[i].strip())
        if not m or m.group(1).lower() not in ("syntax", "escape", "check"):
            break
        key, value = m.group(1).lower(), m.group(2)
        if key in seen:
            raise _err(path, i + 1, f"only one {key} parser directive can be used")
        seen.add(key)
        if key == "escape":
            if value not in ("\\", "`"):
                raise _err(path, i + 1, f"invalid escape token '{value}' does not "
                                      "match ` or \\")
            escape = value
        elif key == "syntax" and not re.match(r"(docker\.io/)?docker/dockerfile(-upstream)?"
                                              r"([:@]|$)", value):
            warnings.append(f"custom frontend {value}; nvreq applies the standard Dockerfile "
                            "rules")
        i += 1
    out: list[_Instruction] = []
    while i < len(lines):
        if len(lines[i].encode()) > MAX_LINE:
            raise _err(path, i + 1, f"dockerfile line greater than max allowed size "
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
            raise _err(path, start, f"unknown instruction: {keyword}")
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
                        raise _err(path, start, "unterminated heredoc")
                    body = lines[i].lstrip("\t") if strip_tabs else lines[i]
                    i += 1
                    if body == word:
                        break
        out.append(_Instruction(start, keyword, tuple(flags), rest))
    if not out:
        raise _err(path, None, "file with no instructions")
    return escape, out, warnings


def _continues(text: str, escape: str) -> bool:
    return text.rstrip(" \t").endswith(escape) and not text.lstrip().startswith("#")


def _words(rest: str, escape: str) -> list[str]:
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


class _Evaluator:
    def __init__(self, path: str, text: str, target: Platform, build_args: dict[str, str],
                 no_base: bool, base_reader: BaseReader | None) -> None:
        self.path = path
        self.escape, instructions, self.warnings = _parse(path, text)
        self.target, self.build_args = target, build_args
        self.no_base, self.base_reader = no_base, base_reader
        self.partial: set[str] = set()
        self.verified = True
        self.globals: dict[str, str | None] = {}
        self.stages: list[_Stage] = []
        self._split(instructions)
        self.states: dict[int, _State] = {}

    def _split(self, instructions: list[_Instruction]) -> None:
        for ins in instructions:
            if ins.keyword == "FROM":
                self.stages.append(self._from(ins))
            elif not self.stages:
                if ins.keyword != "ARG":
                    raise self._error(ins, "no build stage in current context")
                for key, default in self._arg_pairs(ins):
                    if key in self.build_args:
                        self.globals[key] = self.build_args[key]
                    elif default is not None:
                        self.globals[key] = self._word(ins, default, self._global_env())
                    else:
                        self.globals.setdefault(key, None)
            else:
                self.stages[-1].body.append(ins)

    def _auto_args(self, target_stage: str) -> dict[str, str]:
        t, b = self.target.normalized(), machine_platform()
        auto = {"TARGETPLATFORM": str(t), "TARGETOS": t.os, "TARGETARCH": t.architecture,
                "TARGETVARIANT": t.variant, "TARGETOSVERSION": "", "BUILDPLATFORM": str(b),
                "BUILDOS": b.os, "BUILDARCH": b.architecture, "BUILDVARIANT": b.variant,
                "BUILDOSVERSION": "", "TARGETSTAGE": target_stage}
        return {k: self.build_args.get(k, v) for k, v in auto.items()}

    def _global_env(self) -> dict[str, str]:
        return {k: v for k, v in self.globals.items() if v is not None}

    def _from(self, ins: _Instruction) -> _Stage:
        words = ins.args.split()
        platform = next((f.partition("=")[2] for f in ins.flags if f.startswith("platform=")),
                        None)
        unknown = [f for f in ins.flags if not f.startswith("platform=")]
        if unknown:
            raise self._error(ins, f"unknown flag: {unknown[0].partition('=')[0]}")
        if len(words) not in (1, 3) or (len(words) == 3 and words[1].lower() != "as"):
            raise self._error(ins, "FROM requires either one or three arguments")
        name = words[2].lower() if len(words) == 3 else None
        if name is not None and not _STAGE_NAME.fullmatch(name):
            raise self._error(ins, f"invalid name for build stage: {words[2]!r}, name can't start "
                                   "with a number or contain symbols")
        return _Stage(name, words[0], platform, ins.line)

    def run(self, given: str, target_stage: str | None, source: str) -> ImageInfo:
        if not self.stages:
            raise _err(self.path, None, "no build stage in current context")
        index = len(self.stages) - 1
        if target_stage:
            hits = [i for i, s in enumerate(self.stages) if s.name == target_stage.lower()]
            if not hits:
                raise _err(self.path, None, f'target stage "{target_stage}" could not be '
                                      "found")
            index = hits[-1]
        stage_label = self.stages[index].name or "default"
        auto = self._auto_args(stage_label)
        self.globals = {**auto, **self.globals}
        state = self._stage(index)
        warnings = list(self.warnings)
        if self.no_base:
            warnings.append("--no-base: external base images were not read; the Env is partial")
            if self.partial:
                warnings.append("names unset when expanded (perhaps set by a base image): "
                                + ", ".join(sorted(self.partial)))
        label = f"{self.path} (stage {self.stages[index].name or index})"
        return ImageInfo(
            reference=given, resolved=f"dockerfile:{label}", digest=None,
            platform=str(self.target), env=tuple(f"{k}={v}" for k, v in state.env),
            transport="dockerfile", platform_source=source,
            verified=self.verified and not self.no_base, warnings=tuple(warnings),
            origins={k: state.origins.get(k, "") for k, _ in state.env},
        )

    def _stage(self, index: int) -> _State:
        if index in self.states:
            return self.states[index]
        stage = self.stages[index]
        fake = _Instruction(stage.line, "FROM", (), stage.base)
        base = self._word(fake, stage.base, self._global_env())
        if not base:
            raise self._error(fake, f"base name ({stage.base}) should not be blank")
        parent = next((i for i in range(index - 1, -1, -1) if self.stages[i].name == base.lower()
                       and base == base.lower()), None)
        if parent is not None:
            ps = self._stage(parent)
            state = _State(list(ps.env), dict(ps.expand), dict(ps.origins), [])
            triggers = ps.onbuild
        elif base == "scratch":
            state, triggers = _State([], {}, {}, []), []
        else:
            state, triggers = self._external(stage, base, fake), []
        if not any(k == "PATH" for k, _ in state.env):
            state.env.append(("PATH", DEFAULT_PATH))
            state.expand.setdefault("PATH", DEFAULT_PATH)
            state.origins["PATH"] = "default PATH (BuildKit)"
        for ins in triggers:
            self._apply(ins, state, onbuild=True)
        for ins in stage.body:
            self._apply(ins, state, onbuild=False)
        self.states[index] = state
        return state

    def _external(self, stage: _Stage, base: str, fake: _Instruction) -> _State:
        if self.no_base or self.base_reader is None:
            return _State([], {}, {}, [])
        platform = self.target
        if stage.platform:
            text = self._word(fake, stage.platform, self._global_env())
            try:
                platform = parse_platform(text)
            except ValueError as exc:
                raise self._error(fake, str(exc)) from None
        try:
            info = self.base_reader(base, platform)
        except ImageError as exc:
            raise _err(self.path, stage.line, f"cannot read base image {base}: "
                                  f"{exc}; use --no-base to skip base images") from None
        self.verified = self.verified and info.verified
        where = f"base {info.resolved}@{info.digest}"
        pairs = [tuple(e.split("=", 1)) for e in info.env]
        env = [(k, v) for k, v in pairs]
        return _State(env, dict(env), {k: where for k, _ in env}, [])

    def _apply(self, ins: _Instruction, state: _State, *, onbuild: bool) -> None:
        keyword, args = ins.keyword, ins.args
        if keyword == "ONBUILD" and not onbuild:
            sub, _, rest = args.partition(" ")
            if sub.upper() in ("ENV", "ARG"):
                state.onbuild.append(_Instruction(ins.line, sub.upper(), (), rest.strip()))
            return
        if keyword == "ENV":
            if ins.flags:
                raise self._error(ins, f"unknown flag: {ins.flags[0].partition('=')[0]}")
            before = dict(state.expand)
            for key, raw in self._env_pairs(ins):
                name = self._word(ins, key, before)
                if not name:
                    raise self._error(ins, "ENV names can not be blank")
                value = self._word(ins, raw, before)
                _set(state.env, name, value)
                state.expand[name] = value
                state.origins[name] = f"{os.path.basename(self.path)}:{ins.line}"
        elif keyword == "ARG":
            if ins.flags:
                raise self._error(ins, f"unknown flag: {ins.flags[0].partition('=')[0]}")
            for key, default in self._arg_pairs(ins):
                if key in self.build_args:
                    arg: str | None = self.build_args[key]
                elif default is not None:
                    arg = self._word(ins, default, state.expand)
                else:
                    arg = self.globals.get(key)
                if arg is not None:
                    state.expand[key] = arg

    def _env_pairs(self, ins: _Instruction) -> list[tuple[str, str]]:
        words = _words(ins.args, self.escape)
        if not words:
            raise self._error(ins, "ENV requires at least one argument")
        if "=" not in words[0]:
            parts = re.split(r"[ \t]+", ins.args, maxsplit=1)
            if len(parts) < 2 or not parts[1]:
                raise self._error(ins, "ENV must have two arguments")
            return [(parts[0], parts[1])]
        pairs = []
        for word in words:
            if "=" not in word:
                raise self._error(ins, f'Syntax error - can\'t find = in "{word}". Must be of the '
                                       "form: name=value")
            key, _, value = word.partition("=")
            pairs.append((key, value))
        return pairs

    def _arg_pairs(self, ins: _Instruction) -> list[tuple[str, str | None]]:
        words = _words(ins.args, self.escape)
        if not words:
            raise self._error(ins, "ARG requires at least one argument")
        out: list[tuple[str, str | None]] = []
        for word in words:
            key, eq, value = word.partition("=")
            if not key:
                raise self._error(ins, "ARG names can not be blank")
            out.append((key, value if eq else None))
        return out

    def _word(self, ins: _Instruction, text: str, env: dict[str, str]) -> str:
        unset: set[str] = set()
        try:
            value = process_word(text, env, self.escape, unset)
        except WordError as exc:
            raise self._error(ins, str(exc)) from None
        self.partial |= unset
        return value

    def _error(self, ins: _Instruction, message: str) -> DockerfileError:
        return _err(self.path, ins.line, f"{message}")


def _err(path: str, line: int | None, message: str) -> DockerfileError:
    """``PATH:LINE: message``, the reference being the file and line."""
    return DockerfileError(message, reference=path if line is None else f"{path}:{line}")


def _set(env: list[tuple[str, str]], key: str, value: str) -> None:
    for i, (k, _) in enumerate(env):
        if k == key:
            env[i] = (key, value)
            return
    env.append((key, value))
