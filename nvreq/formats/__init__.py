"""Text read from users and written for them, as their tools spell it: digits, JSON,
YAML, Go's text rules, aligned tables, and secrets hidden from output."""

from __future__ import annotations

from nvreq._lazy import door

TYPE_CHECKING = False
if TYPE_CHECKING:
    from nvreq.formats.digits import digits_key, is_digits, saturating_uint, uint
    from nvreq.formats.go_text import (
        GO_SPACE,
        GoCsvError,
        atoi,
        csv_field,
        go_quote,
        parse_bool,
        read_csv_record,
    )
    from nvreq.formats.jsontext import MAX_DEPTH, JsonTooDeep, loads, too_deep
    from nvreq.formats.redact import REDACTED, is_secret, redact_env
    from nvreq.formats.tables import table_lines
    from nvreq.formats.yaml_text import dump_yaml, plain_safe, quote, scalar

__all__ = [
    "GO_SPACE",
    "MAX_DEPTH",
    "REDACTED",
    "GoCsvError",
    "JsonTooDeep",
    "atoi",
    "csv_field",
    "digits_key",
    "dump_yaml",
    "go_quote",
    "is_digits",
    "is_secret",
    "loads",
    "parse_bool",
    "plain_safe",
    "quote",
    "read_csv_record",
    "redact_env",
    "saturating_uint",
    "scalar",
    "table_lines",
    "too_deep",
    "uint",
]

_TABLE = {
    "GO_SPACE": "nvreq.formats.go_text",
    "GoCsvError": "nvreq.formats.go_text",
    "JsonTooDeep": "nvreq.formats.jsontext",
    "MAX_DEPTH": "nvreq.formats.jsontext",
    "REDACTED": "nvreq.formats.redact",
    "atoi": "nvreq.formats.go_text",
    "csv_field": "nvreq.formats.go_text",
    "digits_key": "nvreq.formats.digits",
    "dump_yaml": "nvreq.formats.yaml_text",
    "go_quote": "nvreq.formats.go_text",
    "is_digits": "nvreq.formats.digits",
    "is_secret": "nvreq.formats.redact",
    "loads": "nvreq.formats.jsontext",
    "parse_bool": "nvreq.formats.go_text",
    "plain_safe": "nvreq.formats.yaml_text",
    "quote": "nvreq.formats.yaml_text",
    "read_csv_record": "nvreq.formats.go_text",
    "redact_env": "nvreq.formats.redact",
    "saturating_uint": "nvreq.formats.digits",
    "scalar": "nvreq.formats.yaml_text",
    "table_lines": "nvreq.formats.tables",
    "too_deep": "nvreq.formats.jsontext",
    "uint": "nvreq.formats.digits",
}

__getattr__ = door("nvreq.formats", _TABLE)
