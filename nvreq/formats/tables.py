"""The one text-table layout of nvreq's output: columns aligned, two blanks apart."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["table_lines"]


def table_lines(rows: Sequence[Sequence[object]], *, indent: str = "",
                ragged_last: bool = False) -> list[str]:
    """``rows`` (the header first, if any) as aligned lines; trailing blanks are dropped, unless
    ``ragged_last`` leaves the last column unpadded and each line as it is.

    >>> print("\\n".join(table_lines([["GPU", "MODE"], ["0", "legacy"], ["10", "cdi"]])))
    GPU  MODE
    0    legacy
    10   cdi
    """
    if not rows:
        return []
    text = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in text) for i in range(len(text[0]))]
    lines = []
    for row in text:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        if ragged_last:
            cells[-1] = row[-1]
            lines.append(indent + "  ".join(cells))
        else:
            lines.append(indent + "  ".join(cells).rstrip())
    return lines
