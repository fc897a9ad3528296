"""The text of each page of a PDF, for tests that look for words in it.

poppler's ``pdftotext -raw`` (the preflight reads PDFs with poppler too, and
CI installs it) gives the text in the order the page draws it, as pypdf
does, and reads the 149-page restricted edition in about 0.5 s where pypdf's
``extract_text`` takes about 7 s. Without poppler, pypdf reads it.

Both give a hyphen that typst set at a line break at the end of the line
(pypdf as ``-``, poppler as a soft hyphen, U+00AD); typst's word joiners
(U+2060, invisible) are dropped. A file is read once per process for as
long as its size and modification time stay the same.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

WORD_JOINER = "\u2060"


def page_texts(path: Path) -> tuple[str, ...]:
    """The text of every page of the PDF at ``path``, in page order."""
    st = Path(path).stat()
    return _page_texts(str(path), st.st_size, st.st_mtime_ns)


@cache
def _page_texts(path: str, size: int, mtime_ns: int) -> tuple[str, ...]:
    if shutil.which("pdftotext") is None:
        from pypdf import PdfReader

        pages = [page.extract_text() or "" for page in PdfReader(path).pages]
    else:
        out = subprocess.run(
            ["pdftotext", "-raw", "-enc", "UTF-8", path, "-"], capture_output=True, check=False
        )
        if out.returncode != 0:
            raise AssertionError(f"pdftotext could not read {path}: {out.stderr.decode()[-2000:]}")
        # every page ends with a form feed
        pages = out.stdout.decode("utf-8").split("\f")[:-1]
    return tuple(p.replace(WORD_JOINER, "") for p in pages)
