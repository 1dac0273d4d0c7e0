"""Collecting requirements from a container's environment, as the hook does."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from nvreq._frozen import field, frozen
from nvreq._memo import Memo
from nvreq.formats.go_text import parse_bool
from nvreq.require.gosemver import SemverError
from nvreq.require.gosemver import parse as parse_semver
from nvreq.require.lint import Diagnostic, lint_requirement
from nvreq.require.syntax import Requirement, parse_requirement
from nvreq.require.versions import utf8

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from nvreq.require.gosemver import Behaviour

__all__ = [
    "HOOK_REQUIREMENTS_ERROR",
    "LEGACY_VARIABLE",
    "MAX_REQUIREMENTS",
    "PREFIX",
    "Collected",
    "collect",
    "environment",
    "is_legacy_image",
]

PREFIX = "NVIDIA_REQUIRE_"
DISABLE = "NVIDIA_DISABLE_REQUIRE"
#: the name under which the requirement synthesized from CUDA_VERSION is reported
LEGACY_VARIABLE = "CUDA_VERSION"
#: nvidia-container-cli takes at most this many --require flags
MAX_REQUIREMENTS = 32
TOO_MANY = "input error: too many requirements"
#: what the hook logs before the error of collecting requirements (then a space, not ": ")
HOOK_REQUIREMENTS_ERROR = "failed to get requirements"
_UINT32 = 2**32


def environment(env: Mapping[str, str] | Iterable[str]) -> tuple[dict[str, str], str | None]:
    """An env as a map (later entries win), and the hook's error for an entry without ``=``."""
    if isinstance(env, Mapping):
        return {str(k): str(v) for k, v in env.items()}, None
    out: dict[str, str] = {}
    for entry in env:
        name, sep, value = str(entry).partition("=")
        if not sep:
            return out, f"invalid environment variable: {name[:200]}"
        out[name] = value
    return out, None


def is_legacy_image(env: Mapping[str, str]) -> bool:
    """``CUDA_VERSION`` non-empty and ``NVIDIA_REQUIRE_CUDA`` unset or empty (``IsLegacy``)."""
    return bool(env.get("CUDA_VERSION")) and not env.get("NVIDIA_REQUIRE_CUDA")


#: parsed requirements and their diagnostics, per distinct text (images share their texts)
_PARSED: Memo[str, Requirement] = Memo(1024)
_LINTED: Memo[tuple[str, str], tuple[Diagnostic, ...]] = Memo(1024)


@frozen
class Collected:
    """What the hook would pass to the CLI as ``--require`` flags, and what nvreq noticed.

    ``notes`` are the diagnostics about the environment itself (before the expressions') and about
    the legacy requirement and the count (after them); ``diagnostics`` adds each expression's, read
    when first asked for.
    """

    requirements: tuple[tuple[str, Requirement], ...]
    disabled: bool = False
    legacy: bool = False
    error: str | None = None
    notes: tuple[tuple[Diagnostic, ...], tuple[Diagnostic, ...]] = field(
        default=((), ()), compare=False, repr=False)

    @property
    def too_many(self) -> bool:
        """More requirements than nvidia-container-cli accepts."""
        return len(self.requirements) > MAX_REQUIREMENTS

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Every problem noticed, in order: the environment, each expression, the rest."""
        head, tail = self.notes
        out = list(head)
        for name, requirement in self.requirements:
            if name != LEGACY_VARIABLE:
                out.extend(_lint(requirement, name))
        out.extend(tail)
        return tuple(out)


def _lint(requirement: Requirement, variable: str) -> tuple[Diagnostic, ...]:
    key = (requirement.text, variable)
    found = _LINTED.get(key)
    if found is None:
        found = _LINTED.put(key, tuple(lint_requirement(requirement, variable)))
    return found


def _parse(text: str, variable: str) -> Requirement:
    """``parse_requirement``, remembered per text; an invalid text raises every time."""
    found = _PARSED.get(text)
    if found is None:
        found = _PARSED.put(text, parse_requirement(text, variable=variable))
    return found


def _legacy_requirement(value: str, behaviour: Behaviour) -> tuple[str | None, str | None]:
    """``(requirement text, error)`` from ``CUDA_VERSION``; the error is the hook's own line.

    The hook logs with Go's ``log.Panicln("failed to get requirements", err)``, which joins its
    operands with a space. Toolkits up to 1.20 (``x/mod/semver``) say ``invalid version string``
    with no reason; newer ones (Masterminds) keep the library's reason after it.
    """
    try:
        version = parse_semver(value, behaviour)
    except SemverError as exc:
        reason = ("invalid version string" if behaviour == "1.20"
                  else f"invalid version string: {exc.reason}")
    else:
        if version.major >= _UINT32:
            reason = "invalid major version"
        elif version.minor >= _UINT32:
            reason = "invalid minor version"
        else:
            return f"cuda>={version.major}.{version.minor}", None
    return None, (f"{HOOK_REQUIREMENTS_ERROR} failed to get version: "
                  f"invalid CUDA version {value}: {reason}")


def _collection_warnings(env: Mapping[str, str]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for name in sorted(env):
        upper = name.upper()
        if name != DISABLE and upper.startswith("NVIDIA_DISABLE_REQ"):
            out.append(Diagnostic("disable-misspelled", "warning", f"{name} does nothing: only "
                                  f"{DISABLE} disables the check", name))
        elif upper.startswith(PREFIX) and not name.startswith(PREFIX):
            out.append(Diagnostic("prefix-case", "warning", f"{name} is not collected: the "
                                  f"prefix {PREFIX} is case-sensitive", name))
        elif name.startswith(PREFIX + "JETPACK"):
            out.append(Diagnostic("jetpack-ignored", "info", f"{name} is a Jetson mount flag, "
                                  "not a requirement: skipped", name))
    if DISABLE in env and parse_bool(env[DISABLE]) is not True:
        out.append(Diagnostic("disable-not-true", "warning", f"{DISABLE}={env[DISABLE]!r} does "
                              "not disable the check: only 1, t, T, TRUE, true and True do",
                              DISABLE))
    return out


def collect(env: Mapping[str, str], *, behaviour: Behaviour = "newest") -> Collected:
    """Collect the requirements of ``env`` in evaluation order (variable names in byte order,
    the ``CUDA_VERSION`` requirement last), with diagnostics for the whole of each expression.

    >>> c = collect({"NVIDIA_REQUIRE_CUDA": "cuda>=12.4", "NVIDIA_REQUIRE_ARCH": "arch>=8.0"})
    >>> [name for name, _ in c.requirements]
    ['NVIDIA_REQUIRE_ARCH', 'NVIDIA_REQUIRE_CUDA']
    """
    head = tuple(_collection_warnings(env))
    tail: list[Diagnostic] = []
    legacy = is_legacy_image(env)
    # collected even when disabled, so the report can say what the verdict would have been
    disabled = parse_bool(env.get(DISABLE, "")) is True
    names = sorted((n for n in env
                    if n.startswith(PREFIX) and not n.startswith(PREFIX + "JETPACK")), key=utf8)
    requirements: list[tuple[str, Requirement]] = []
    for name in names:
        requirements.append((name, _parse(env[name], name)))
    error = None
    if legacy:
        text, error = _legacy_requirement(env["CUDA_VERSION"], behaviour)
        if text is not None:
            requirements.append((LEGACY_VARIABLE, _parse(text, LEGACY_VARIABLE)))
            tail.append(Diagnostic("legacy-requirement", "info", f"{text} synthesized from "
                                   f"CUDA_VERSION={env['CUDA_VERSION']} (legacy image)",
                                   LEGACY_VARIABLE))
        else:
            tail.append(Diagnostic("invalid-cuda-version", "error", error or "", LEGACY_VARIABLE))
    if len(requirements) > MAX_REQUIREMENTS:
        tail.append(Diagnostic("too-many-requirements", "error", f"{len(requirements)} "
                               f"requirements; nvidia-container-cli accepts at most "
                               f"{MAX_REQUIREMENTS}", None))
    return Collected(tuple(requirements), disabled, legacy, error, (head, tuple(tail)))

