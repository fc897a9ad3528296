"""Errors that name the input, row, column and value at fault."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class UserError(Exception):
    """A problem the user can fix, reported as one line without a traceback
    (bad input, a chapter that cannot be rendered)."""


@dataclass
class InputError(UserError):
    """Bad input: raised by validation with everything a reader needs to fix it.

    ``row`` is the 1-based line number in the file (the header is line 1), or
    None when the problem concerns the whole file.
    """

    file: str | Path
    problem: str
    expected: str = ""
    row: int | None = None
    column: str | None = None
    value: object = None
    more: int = 0

    def __str__(self) -> str:
        where = [str(self.file)]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        msg = ", ".join(where) + f": {self.problem}"
        if self.value is not None:
            msg += f" (found {self.value!r})"
        if self.expected:
            msg += f"; expected {self.expected}"
        if self.more:
            msg += f" [and {self.more} more problem(s) in this file]"
        return msg
