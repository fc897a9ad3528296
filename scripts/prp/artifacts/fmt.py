"""Number formatting shared by tables, figures and inline variables."""

from __future__ import annotations

from fractions import Fraction


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
    """Counts in running text: zero to ten spelled out (3 -> 'three'), larger
    counts as digits with thousands separators (12 -> '12')."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else thousands(n)


def english_list(items: list[str]) -> str:
    """['a'] -> 'a'; ['a', 'b'] -> 'a and b'; ['a', 'b', 'c'] -> 'a, b and c'."""
    if not items:
        raise ValueError("an empty list has no English form")
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


DENOMINATOR_WORDS = {
    2: ("half", "halves"),
    3: ("third", "thirds"),
    4: ("quarter", "quarters"),
    5: ("fifth", "fifths"),
}
FRACTION_TOLERANCE = 0.005
"""How far a share may lie from a simple fraction and still be written as it
(two-thirds is 0.6667; 0.67 is within, 0.68 is not)."""


def word_fraction(share: float, tolerance: float = FRACTION_TOLERANCE) -> str:
    """A share in words, at the precision a word fraction carries: 200/300 ->
    'two-thirds', 0.5 -> 'one-half', 0.75 -> 'three-quarters'. Only halves,
    thirds, quarters and fifths strictly between 0 and 1 have a word form; a
    share that is none of them within ``tolerance`` is an error, never
    rounded to the nearest one."""
    best: Fraction | None = None
    for denominator in sorted(DENOMINATOR_WORDS):
        candidate = Fraction(round(share * denominator), denominator)
        if 0 < candidate < 1 and abs(float(candidate) - share) <= tolerance:
            best = candidate
            break
    if best is None:
        raise ValueError(
            f"{share!r} is not a half, third, quarter or fifth (within {tolerance}); "
            "print it as a number"
        )
    singular, plural = DENOMINATOR_WORDS[best.denominator]
    return f"{NUMBER_WORDS[best.numerator]}-{singular if best.numerator == 1 else plural}"
