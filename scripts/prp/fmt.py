"""Number formatting shared by tables, figures and inline variables."""

from __future__ import annotations


def thousands(n: float | int) -> str:
    """12345 -> '12,345' (integers), 1234.5 -> '1,234.5'."""
    if float(n).is_integer():
        return f"{int(n):,}"
    return f"{n:,}"


def percent(share: float, digits: int = 0) -> str:
    """0.4308 -> '43%'. Rounds half to even like Python's format."""
    return f"{share * 100:.{digits}f}%"


def usd(amount: float) -> str:
    """1234567 -> 'US$1,234,567'."""
    return "US$" + thousands(round(amount, 2))
