"""The ``NVIDIA_REQUIRE_*`` language: syntax, versions, explaining and compiled evaluation,
lint, and the toolkit's Go evaluator."""

from __future__ import annotations

from nvreq._lazy import door

TYPE_CHECKING = False
if TYPE_CHECKING:
    from nvreq.require.compiled import (
        CompiledRequirement as CompiledRequirement,
    )
    from nvreq.require.compiled import (
        Result as Result,
    )
    from nvreq.require.compiled import (
        host_contexts as host_contexts,
    )
    from nvreq.require.gosemver import (
        INVALID_SEMVER as INVALID_SEMVER,
    )
    from nvreq.require.gosemver import (
        Behaviour as Behaviour,
    )
    from nvreq.require.gosemver import (
        GoVersion as GoVersion,
    )
    from nvreq.require.gosemver import (
        SemverError as SemverError,
    )
    from nvreq.require.gosemver import (
        behaviour_for as behaviour_for,
    )
    from nvreq.require.gosemver import (
        compare as compare,
    )
    from nvreq.require.gosemver import (
        is_valid as is_valid,
    )
    from nvreq.require.gosemver import (
        parse as parse,
    )
    from nvreq.require.lint import (
        BRAND_TOKENS as BRAND_TOKENS,
    )
    from nvreq.require.lint import (
        Diagnostic as Diagnostic,
    )
    from nvreq.require.lint import (
        byte_span as byte_span,
    )
    from nvreq.require.lint import (
        lint_requirement as lint_requirement,
    )
    from nvreq.require.semantics import (
        INVALID_EXPRESSION as INVALID_EXPRESSION,
    )
    from nvreq.require.semantics import (
        UPDATE_HINT as UPDATE_HINT,
    )
    from nvreq.require.semantics import (
        AlternativeOutcome as AlternativeOutcome,
    )
    from nvreq.require.semantics import (
        ClauseOutcome as ClauseOutcome,
    )
    from nvreq.require.semantics import (
        Context as Context,
    )
    from nvreq.require.semantics import (
        Verdict as Verdict,
    )
    from nvreq.require.semantics import (
        evaluate as evaluate,
    )
    from nvreq.require.semantics import (
        evaluate_clause as evaluate_clause,
    )
    from nvreq.require.semantics import (
        unsatisfied_message as unsatisfied_message,
    )
    from nvreq.require.syntax import (
        KEYS as KEYS,
    )
    from nvreq.require.syntax import (
        MAX_CLAUSES as MAX_CLAUSES,
    )
    from nvreq.require.syntax import (
        MAX_SEGMENTS as MAX_SEGMENTS,
    )
    from nvreq.require.syntax import (
        MAX_VALUE_BYTES as MAX_VALUE_BYTES,
    )
    from nvreq.require.syntax import (
        OPERATORS as OPERATORS,
    )
    from nvreq.require.syntax import (
        Alternative as Alternative,
    )
    from nvreq.require.syntax import (
        Clause as Clause,
    )
    from nvreq.require.syntax import (
        Requirement as Requirement,
    )
    from nvreq.require.syntax import (
        ascii_lower as ascii_lower,
    )
    from nvreq.require.syntax import (
        grammar_text as grammar_text,
    )
    from nvreq.require.syntax import (
        parse_requirement as parse_requirement,
    )
    from nvreq.require.toolkit import (
        NOT_MET as NOT_MET,
    )
    from nvreq.require.toolkit import (
        DroppedClause as DroppedClause,
    )
    from nvreq.require.toolkit import (
        RequirementOutcome as RequirementOutcome,
    )
    from nvreq.require.toolkit import (
        TermOutcome as TermOutcome,
    )
    from nvreq.require.toolkit import (
        ToolkitClause as ToolkitClause,
    )
    from nvreq.require.toolkit import (
        ToolkitClauseOutcome as ToolkitClauseOutcome,
    )
    from nvreq.require.toolkit import (
        ToolkitFacts as ToolkitFacts,
    )
    from nvreq.require.toolkit import (
        ToolkitVerdict as ToolkitVerdict,
    )
    from nvreq.require.toolkit import (
        evaluate_toolkit as evaluate_toolkit,
    )
    from nvreq.require.toolkit import (
        facts_for_comparison as facts_for_comparison,
    )
    from nvreq.require.toolkit import (
        facts_for_csv_host as facts_for_csv_host,
    )
    from nvreq.require.toolkit import (
        parse_clause as parse_clause,
    )
    from nvreq.require.toolkit_diff import (
        BRAND_NAMES as BRAND_NAMES,
    )
    from nvreq.require.toolkit_diff import (
        ROWS as ROWS,
    )
    from nvreq.require.toolkit_diff import (
        Disagreement as Disagreement,
    )
    from nvreq.require.toolkit_diff import (
        disagreements as disagreements,
    )
    from nvreq.require.versions import (
        UINT64_OVERFLOW as UINT64_OVERFLOW,
    )
    from nvreq.require.versions import (
        compare_versions as compare_versions,
    )
    from nvreq.require.versions import (
        cuda_from_nvml as cuda_from_nvml,
    )
    from nvreq.require.versions import (
        is_version_text as is_version_text,
    )
    from nvreq.require.versions import (
        utf8 as utf8,
    )
    from nvreq.require.versions import (
        version_key as version_key,
    )

__all__ = [
    "BRAND_NAMES",
    "BRAND_TOKENS",
    "INVALID_EXPRESSION",
    "INVALID_SEMVER",
    "KEYS",
    "MAX_CLAUSES",
    "MAX_SEGMENTS",
    "MAX_VALUE_BYTES",
    "NOT_MET",
    "OPERATORS",
    "ROWS",
    "UINT64_OVERFLOW",
    "UPDATE_HINT",
    "Alternative",
    "AlternativeOutcome",
    "Behaviour",
    "Clause",
    "ClauseOutcome",
    "CompiledRequirement",
    "Context",
    "Diagnostic",
    "Disagreement",
    "DroppedClause",
    "GoVersion",
    "Requirement",
    "RequirementOutcome",
    "Result",
    "SemverError",
    "TermOutcome",
    "ToolkitClause",
    "ToolkitClauseOutcome",
    "ToolkitFacts",
    "ToolkitVerdict",
    "Verdict",
    "ascii_lower",
    "behaviour_for",
    "byte_span",
    "compare",
    "compare_versions",
    "cuda_from_nvml",
    "disagreements",
    "evaluate",
    "evaluate_clause",
    "evaluate_toolkit",
    "facts_for_comparison",
    "facts_for_csv_host",
    "grammar_text",
    "host_contexts",
    "is_valid",
    "is_version_text",
    "lint_requirement",
    "parse",
    "parse_clause",
    "parse_requirement",
    "unsatisfied_message",
    "utf8",
    "version_key",
]

_TABLE = {
    "Alternative": "nvreq.require.syntax",
    "AlternativeOutcome": "nvreq.require.semantics",
    "BRAND_NAMES": "nvreq.require.toolkit_diff",
    "BRAND_TOKENS": "nvreq.require.lint",
    "Behaviour": "nvreq.require.gosemver",
    "Clause": "nvreq.require.syntax",
    "ClauseOutcome": "nvreq.require.semantics",
    "CompiledRequirement": "nvreq.require.compiled",
    "Context": "nvreq.require.semantics",
    "Diagnostic": "nvreq.require.lint",
    "Disagreement": "nvreq.require.toolkit_diff",
    "DroppedClause": "nvreq.require.toolkit",
    "GoVersion": "nvreq.require.gosemver",
    "INVALID_EXPRESSION": "nvreq.require.semantics",
    "INVALID_SEMVER": "nvreq.require.gosemver",
    "KEYS": "nvreq.require.syntax",
    "MAX_CLAUSES": "nvreq.require.syntax",
    "MAX_SEGMENTS": "nvreq.require.syntax",
    "MAX_VALUE_BYTES": "nvreq.require.syntax",
    "NOT_MET": "nvreq.require.toolkit",
    "OPERATORS": "nvreq.require.syntax",
    "ROWS": "nvreq.require.toolkit_diff",
    "Requirement": "nvreq.require.syntax",
    "RequirementOutcome": "nvreq.require.toolkit",
    "Result": "nvreq.require.compiled",
    "SemverError": "nvreq.require.gosemver",
    "TermOutcome": "nvreq.require.toolkit",
    "ToolkitClause": "nvreq.require.toolkit",
    "ToolkitClauseOutcome": "nvreq.require.toolkit",
    "ToolkitFacts": "nvreq.require.toolkit",
    "ToolkitVerdict": "nvreq.require.toolkit",
    "UINT64_OVERFLOW": "nvreq.require.versions",
    "UPDATE_HINT": "nvreq.require.semantics",
    "Verdict": "nvreq.require.semantics",
    "ascii_lower": "nvreq.require.syntax",
    "behaviour_for": "nvreq.require.gosemver",
    "byte_span": "nvreq.require.lint",
    "compare": "nvreq.require.gosemver",
    "compare_versions": "nvreq.require.versions",
    "cuda_from_nvml": "nvreq.require.versions",
    "disagreements": "nvreq.require.toolkit_diff",
    "evaluate": "nvreq.require.semantics",
    "evaluate_clause": "nvreq.require.semantics",
    "evaluate_toolkit": "nvreq.require.toolkit",
    "facts_for_comparison": "nvreq.require.toolkit",
    "facts_for_csv_host": "nvreq.require.toolkit",
    "grammar_text": "nvreq.require.syntax",
    "host_contexts": "nvreq.require.compiled",
    "is_valid": "nvreq.require.gosemver",
    "is_version_text": "nvreq.require.versions",
    "lint_requirement": "nvreq.require.lint",
    "parse": "nvreq.require.gosemver",
    "parse_clause": "nvreq.require.toolkit",
    "parse_requirement": "nvreq.require.syntax",
    "unsatisfied_message": "nvreq.require.semantics",
    "utf8": "nvreq.require.versions",
    "version_key": "nvreq.require.versions",
}

__getattr__ = door("nvreq.require", _TABLE)
