"""``dockerfile:PATH``: the Env the Dockerfile would give the image, without building it.

Follows BuildKit's Dockerfile frontend (moby/buildkit frontend/dockerfile @ 73ed682: parser/,
instructions/, dockerfile2llb/); words are processed by :mod:`nvreq.images.shellword`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from nvreq.images.dockerparse import Instruction, err, parse, read, words
from nvreq.images.errors import DockerfileError, ImageError
from nvreq.images.info import ImageInfo
from nvreq.images.platforms import Platform, machine_platform, parse_platform
from nvreq.images.shellword import WordError, process_word

__all__ = ["DEFAULT_PATH", "read_dockerfile"]

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_STAGE_NAME = re.compile(r"[a-z][a-z0-9-_.]*")

BaseReader = Callable[[str, Platform], ImageInfo]


@dataclass(slots=True)
class _Stage:
    name: str | None
    base: str
    platform: str | None
    line: int
    body: list[Instruction] = field(default_factory=list)


@dataclass(slots=True)
class _State:
    env: list[tuple[str, str]]
    expand: dict[str, str]
    origins: dict[str, str]
    onbuild: list[Instruction]


def read_dockerfile(path: str, given: str, target: Platform, source: str, *,
                    build_args: Sequence[str] = (), target_stage: str | None = None,
                    no_base: bool = False, base_reader: BaseReader | None = None) -> ImageInfo:
    """Evaluate the Env of ``target_stage`` (default: the last) for ``target``."""
    text = read(path)
    return _Evaluator(path, text, target, _build_args(build_args), no_base,
                      base_reader).run(given, target_stage, source)


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


class _Evaluator:
    def __init__(self, path: str, text: str, target: Platform, build_args: dict[str, str],
                 no_base: bool, base_reader: BaseReader | None) -> None:
        self.path = path
        self.escape, instructions, self.warnings = parse(path, text)
        self.target, self.build_args = target, build_args
        self.no_base, self.base_reader = no_base, base_reader
        self.partial: set[str] = set()
        self.verified = True
        self.globals: dict[str, str | None] = {}
        self.stages: list[_Stage] = []
        self._split(instructions)
        self.states: dict[int, _State] = {}

    def _split(self, instructions: list[Instruction]) -> None:
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

    def _from(self, ins: Instruction) -> _Stage:
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
            raise err(self.path, None, "no build stage in current context")
        index = len(self.stages) - 1
        if target_stage:
            hits = [i for i, s in enumerate(self.stages) if s.name == target_stage.lower()]
            if not hits:
                raise err(self.path, None, f'target stage "{target_stage}" could not be '
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
        fake = Instruction(stage.line, "FROM", (), stage.base)
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

    def _external(self, stage: _Stage, base: str, fake: Instruction) -> _State:
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
            raise err(self.path, stage.line, f"cannot read base image {base}: "
                                  f"{exc}; use --no-base to skip base images") from None
        self.verified = self.verified and info.verified
        where = f"base {info.resolved}@{info.digest}"
        pairs = [tuple(e.split("=", 1)) for e in info.env]
        env = [(k, v) for k, v in pairs]
        return _State(env, dict(env), {k: where for k, _ in env}, [])

    def _apply(self, ins: Instruction, state: _State, *, onbuild: bool) -> None:
        keyword, args = ins.keyword, ins.args
        if keyword == "ONBUILD" and not onbuild:
            sub, _, rest = args.partition(" ")
            if sub.upper() in ("ENV", "ARG"):
                state.onbuild.append(Instruction(ins.line, sub.upper(), (), rest.strip()))
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

    def _env_pairs(self, ins: Instruction) -> list[tuple[str, str]]:
        parts = words(ins.args, self.escape)
        if not parts:
            raise self._error(ins, "ENV requires at least one argument")
        if "=" not in parts[0]:
            legacy = re.split(r"[ \t]+", ins.args, maxsplit=1)
            if len(legacy) < 2 or not legacy[1]:
                raise self._error(ins, "ENV must have two arguments")
            return [(legacy[0], legacy[1])]
        pairs = []
        for word in parts:
            if "=" not in word:
                raise self._error(ins, f'Syntax error - can\'t find = in "{word}". Must be of the '
                                       "form: name=value")
            key, _, value = word.partition("=")
            pairs.append((key, value))
        return pairs

    def _arg_pairs(self, ins: Instruction) -> list[tuple[str, str | None]]:
        parts = words(ins.args, self.escape)
        if not parts:
            raise self._error(ins, "ARG requires at least one argument")
        out: list[tuple[str, str | None]] = []
        for word in parts:
            key, eq, value = word.partition("=")
            if not key:
                raise self._error(ins, "ARG names can not be blank")
            out.append((key, value if eq else None))
        return out

    def _word(self, ins: Instruction, text: str, env: dict[str, str]) -> str:
        unset: set[str] = set()
        try:
            value = process_word(text, env, self.escape, unset)
        except WordError as exc:
            raise self._error(ins, str(exc)) from None
        self.partial |= unset
        return value

    def _error(self, ins: Instruction, message: str) -> DockerfileError:
        return err(self.path, ins.line, f"{message}")


def _set(env: list[tuple[str, str]], key: str, value: str) -> None:
    for i, (k, _) in enumerate(env):
        if k == key:
            env[i] = (key, value)
            return
    env.append((key, value))
