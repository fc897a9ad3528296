"""A fingerprint of the 2018 report's text, committed so that the own-words
and verbatim-quotation checks run on every machine (the text itself is not
part of the repository: it lives in ``../shared/source/``).

The fingerprint holds, for n = 4 and n = 8, a 32-bit hash of every run of n
consecutive word tokens of the text (lower case, punctuation and HTML tags
dropped). That is enough to tell whether a sentence of ours repeats an 8-word
run of the 2018 text, or whether a quotation's words appear in it in order,
and not enough to read the text back. It also holds the web addresses of
each endnote (facts the bibliography must keep). ``python -m
tests.source2018 PATH`` rewrites the fingerprint from the text.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sys
from functools import cache
from pathlib import Path
from urllib.parse import unquote

FINGERPRINT = Path(__file__).resolve().parent / "fixtures" / "source2018-ngrams.json.gz"
SIZES = (4, 8)
WORD = re.compile(r"[a-z0-9áéíóúñü]+")
URL_RE = re.compile(r"https?://[^\s<>\]\)\"']+")


def words(text: str) -> list[str]:
    """Lower-case word tokens, ignoring HTML tags and punctuation."""
    return WORD.findall(re.sub(r"<[^>]+>", " ", text).lower())


def gram_hash(gram: tuple[str, ...] | list[str]) -> int:
    digest = hashlib.blake2b(" ".join(gram).encode("utf-8"), digest_size=4).digest()
    return int.from_bytes(digest, "big")


def hashes(tokens: list[str], n: int) -> set[int]:
    return {gram_hash(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def endnote_urls_of(text: str) -> dict[int, set[str]]:
    """The distinct addresses of each endnote of the 2018 text: link targets
    (``[text](url)``, ``<url>``), else bare addresses; markdown escapes and
    percent-encoding undone."""
    start = text.index("## Endnotes")
    out: dict[int, set[str]] = {}
    for m in re.finditer(r"<sup>(\d+)</sup>(.*)", text[start:]):
        note = m.group(2)
        found = re.findall(r"\]\((https?://[^)\s]+)\)", note) + re.findall(
            r"<(https?://[^>]+)>", note
        )
        if not found:
            found = URL_RE.findall(note)
        out[int(m.group(1))] = {unquote(u.replace("\\", "")).rstrip(".,;") for u in found}
    return out


def fingerprint_of(text: str) -> dict[str, object]:
    tokens = words(text)
    return {
        "source_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "words": len(tokens),
        **{str(n): sorted(hashes(tokens, n)) for n in SIZES},
        "endnote_urls": {str(k): sorted(v) for k, v in endnote_urls_of(text).items()},
    }


def endnote_urls() -> dict[int, set[str]]:
    """The committed addresses of each endnote of the 2018 text."""
    data = json.loads(gzip.decompress(FINGERPRINT.read_bytes()))
    return {int(k): set(v) for k, v in data["endnote_urls"].items()}


@cache
def load() -> dict[int, frozenset[int]]:
    data = json.loads(gzip.decompress(FINGERPRINT.read_bytes()))
    return {n: frozenset(data[str(n)]) for n in SIZES}


def source_sha256() -> str:
    return str(json.loads(gzip.decompress(FINGERPRINT.read_bytes()))["source_sha256"])


def copied_runs(tokens: list[str], n: int = 8) -> list[str]:
    """Runs of ``n`` of these tokens that occur in the 2018 text."""
    grams = load()[n]
    return [
        " ".join(tokens[i : i + n])
        for i in range(len(tokens) - n + 1)
        if gram_hash(tokens[i : i + n]) in grams
    ]


def in_order_in_source(text: str) -> bool:
    """Whether every run of four consecutive words of ``text`` occurs in the
    2018 text (a quotation of fewer than four words: the whole of it as the
    start of some run)."""
    tokens = words(text)
    grams = load()[4]
    if len(tokens) >= 4:
        return all(gram_hash(tokens[i : i + 4]) in grams for i in range(len(tokens) - 3))
    return bool(tokens)  # too short to check against 4-word runs


def write(source: Path) -> None:
    data = fingerprint_of(source.read_text(encoding="utf-8"))
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8")
    FINGERPRINT.parent.mkdir(parents=True, exist_ok=True)
    FINGERPRINT.write_bytes(gzip.compress(raw, mtime=0))


if __name__ == "__main__":
    write(Path(sys.argv[1]))
    print(f"wrote {FINGERPRINT}")
