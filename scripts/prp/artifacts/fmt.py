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


NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
)


def number_word(n: int) -> str:
    """Counts in running text: zero to ten spelt out (3 -> 'three'), larger
    counts as digits with thousands separators (12 -> '12')."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else thousands(n)


def english_list(items: list[str]) -> str:
    """['a'] -> 'a'; ['a', 'b'] -> 'a and b'; ['a', 'b', 'c'] -> 'a, b and c'."""
    if not items:
        raise ValueError("an empty list has no English form")
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
