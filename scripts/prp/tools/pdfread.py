"""Read a built PDF the way a reader and a screen reader see it.

Three views of one file, joined by position:

* **words and lines** as poppler's ``pdftotext -bbox-layout`` extracts them
  (decoded text with boxes; page coordinates from the top left, in points);
* **marked content**: a small interpreter of each page's content stream
  follows ``BDC``/``EMC``, the transformation matrices and the text and path
  operators, and records where each marked-content sequence (``MCID`` of
  the tagged structure, or an ``/Artifact`` such as a running head) puts its
  text and its drawing. No text is decoded here: a word belongs to the text
  run that starts at or before it on its baseline;
* **the structure tree** (the tags a screen reader follows): headings,
  tables with their rows and cells, figures and captions, paragraphs, each
  with the marked-content sequences it owns.

Typst tags every PDF it writes (PDF/UA-style structure tree, running heads
and page numbers as ``/Artifact /Pagination``), so an element's words, pages
and position are exact, not guessed from the layout.

Limits: inline images (``BI``) and text inside form XObjects are not
followed (a form counts as its bounding box); string literals may nest
parentheses one level deep, which covers what typst writes.
"""

from __future__ import annotations

import bisect
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypdf
from pypdf.generic import DictionaryObject, IndirectObject

XHTML = "{http://www.w3.org/1999/xhtml}"
Key = tuple[Any, ...]  # ("mcid", n) | ("artifact", type, subtype) | ("none",)
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 from the top left

_STRING = re.compile(rb"(\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\))", re.S)
_STR = object()  # a string operand (its bytes are never needed)
_NUMERIC = frozenset(b"0123456789+-.")
_PAINT = {b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}
_PATH = {b"m", b"l", b"c", b"v", b"y"}


def _mul(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, ...]:
    """Product of two PDF matrices [a b c d e f] (a applied first)."""
    return (
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    )


def _apply(m: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
    return (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])


IDENTITY: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass
class Run:
    """A text-showing operator: where its first glyph's origin lies."""

    x: float
    y: float  # baseline, from the top of the page
    size: float
    key: Key


@dataclass
class Marked:
    """What one marked-content sequence put on a page."""

    key: Key
    box: Box | None = None  # text and drawing together

    def add(self, box: Box) -> None:
        if self.box is None:
            self.box = box
        else:
            b = self.box
            self.box = (min(b[0], box[0]), min(b[1], box[1]), max(b[2], box[2]), max(b[3], box[3]))


@dataclass
class Word:
    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    key: Key = ("none",)
    line: int = 0  # index of the word's line on its page


@dataclass
class Line:
    page: int
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    marked: dict[Key, Marked] = field(default_factory=dict)

    @property
    def words(self) -> Iterator[Word]:
        for line in self.lines:
            yield from line.words


@dataclass(eq=False)
class Element:
    """A node of the structure tree with the marked content it owns."""

    role: str  # standard role (after the role map), without the slash
    title: str = ""
    alt: str = ""
    refs: list[tuple[int, int]] = field(default_factory=list)  # (page, mcid), own
    children: list[Element] = field(default_factory=list)
    parent: Element | None = None

    def walk(self) -> Iterator[Element]:
        yield self
        for c in self.children:
            yield from c.walk()

    def all_refs(self) -> list[tuple[int, int]]:
        return [r for e in self.walk() for r in e.refs]

    def find(self, *roles: str) -> list[Element]:
        return [e for e in self.walk() if e.role in roles]

    def ancestor(self, *roles: str) -> Element | None:
        p = self.parent
        while p is not None and p.role not in roles:
            p = p.parent
        return p


@dataclass
class Document:
    path: Path
    pages: list[Page]
    root: Element | None  # None: the PDF is not tagged
    owner: dict[tuple[int, int], Element] = field(default_factory=dict)  # (page, mcid) -> element
    by_ref: dict[tuple[int, int], list[Word]] = field(default_factory=dict)

    def index(self) -> None:
        """Who owns which marked content, and which words each holds."""
        self.owner.clear()
        self.by_ref.clear()
        if self.root is not None:
            for el in self.root.walk():
                for ref in el.refs:
                    self.owner[ref] = el
        for page in self.pages:
            for w in page.words:
                if w.key[0] == "mcid":
                    self.by_ref.setdefault((page.number, w.key[1]), []).append(w)

    def words_of(self, element: Element) -> list[Word]:
        """The element's words, in page and line order."""
        words = [w for ref in set(element.all_refs()) for w in self.by_ref.get(ref, [])]
        return sorted(words, key=lambda w: (w.page, w.line, w.x0))

    def lines_of(self, element: Element) -> list[Line]:
        """The element's words grouped by the lines pdftotext found."""
        out: list[Line] = []
        for w in self.words_of(element):
            if out and out[-1].page == w.page and out[-1].words[-1].line == w.line:
                out[-1].words.append(w)
            else:
                out.append(Line(w.page, [w]))
        return out

    def owned_by(self, word: Word, *roles: str) -> Element | None:
        """The nearest element of one of ``roles`` that owns ``word``."""
        if word.key[0] != "mcid":
            return None
        el = self.owner.get((word.page, word.key[1]))
        while el is not None and el.role not in roles:
            el = el.parent
        return el

    def text_of(self, element: Element) -> str:
        return " ".join(w.text for w in self.words_of(element))

    def pages_of(self, element: Element) -> list[int]:
        return sorted(
            {w.page for w in self.words_of(element)} or {p for p, _ in element.all_refs()}
        )

    def box_of(self, element: Element, page: int) -> Box | None:
        """Everything the element draws on ``page`` (text and graphics)."""
        box: Marked = Marked(("none",))
        for p, mcid in element.all_refs():
            if p == page and (m := self.pages[p - 1].marked.get(("mcid", mcid))) and m.box:
                box.add(m.box)
        return box.box


# ------------------------------------------------------------------ content streams


def _props(value: Any, resources: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and resources is not None:
        props = resources.get("/Properties")
        if props is not None and value in props:
            obj = props[value].get_object()
            return {k: obj[k] for k in obj}
    return {}


def _key(stack: list[tuple[str, dict[str, Any]]]) -> Key:
    """The innermost sequence that says what the content is."""
    for tag, props in reversed(stack):
        if "/MCID" in props:
            return ("mcid", int(props["/MCID"]))
        if tag == "/Artifact":
            return ("artifact", str(props.get("/Type", "")), str(props.get("/Subtype", "")))
    return ("none",)


def _xobject_box(resources: Any, name: str, ctm: tuple[float, ...]) -> Box | None:
    xobjects = resources.get("/XObject") if resources is not None else None
    if xobjects is None or name not in xobjects:
        return None
    xo = xobjects[name].get_object()
    if xo.get("/Subtype") == "/Form":
        x0, y0, x1, y1 = (float(v) for v in xo.get("/BBox", [0, 0, 0, 0]))
        m = tuple(float(v) for v in xo.get("/Matrix", IDENTITY))
        full = _mul(m, ctm)
    else:
        x0, y0, x1, y1 = 0.0, 0.0, 1.0, 1.0
        full = ctm
    pts = [_apply(full, x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (min(xs), min(ys), max(xs), max(ys))


def tokens(content: bytes) -> list[Any]:
    """The tokens of a content stream: bytes for numbers, names (with their
    slash), delimiters and operators; ``_STR`` for each string. Splitting on
    whitespace in C keeps this fast; only strings need a regular expression."""
    out: list[Any] = []
    for i, part in enumerate(_STRING.split(content)):
        if i % 2:
            out.append(_STR)
            continue
        if b"%" in part:
            part = re.sub(rb"%[^\r\n]*", b" ", part)
        part = (
            part.replace(b"<<", b" << ")
            .replace(b">>", b" >> ")
            .replace(b"[", b" [ ")
            .replace(b"]", b" ] ")
            .replace(b"/", b" /")
        )
        out.extend(part.split())
    return out


def interpret(content: bytes, resources: Any, height: float) -> tuple[list[Run], dict[Key, Marked]]:
    """Text runs and marked-content extents of one content stream. Boxes are
    returned from the top left of a page ``height`` points high."""
    runs: list[Run] = []
    marked: dict[Key, Marked] = {}
    stack: list[tuple[str, dict[str, Any]]] = []
    gstack: list[tuple[tuple[float, ...], Box | None]] = []
    ctm: tuple[float, ...] = IDENTITY
    clip: Box | None = None  # device space, from the bottom left
    clipping = False  # a W or W* waits for the end of its path
    tm = tlm = IDENTITY
    size = leading = 0.0
    path: list[float] = []  # x0, y0, x1, y1 in user space of the current path
    operands: list[Any] = []
    nest: list[list[Any]] = []  # open arrays and dictionaries
    key: Key = ("none",)  # of the innermost marked-content sequence

    def add(key: Key, box: Box) -> None:
        if clip is not None:
            box = (max(box[0], clip[0]), max(box[1], clip[1]),
                   min(box[2], clip[2]), min(box[3], clip[3]))  # fmt: skip
            if box[0] > box[2] or box[1] > box[3]:
                return
        m = marked.get(key)
        if m is None:
            m = marked[key] = Marked(key)
        m.add((box[0], height - box[3], box[2], height - box[1]))

    def device(p: list[float]) -> Box:
        pts = [
            _apply(ctm, x, y) for x, y in ((p[0], p[1]), (p[2], p[1]), (p[0], p[3]), (p[2], p[3]))
        ]
        xs, ys = [q[0] for q in pts], [q[1] for q in pts]
        return (min(xs), min(ys), max(xs), max(ys))

    def end_path(painted: bool) -> None:
        nonlocal clip, clipping, path
        if path:
            box = device(path)
            if painted:
                add(key, box)
            if clipping:
                clip = box if clip is None else (
                    max(box[0], clip[0]), max(box[1], clip[1]),
                    min(box[2], clip[2]), min(box[3], clip[3]))  # fmt: skip
        clipping = False
        path = []

    def nums(n: int) -> list[float]:
        return [float(v) for v in operands[-n:]]

    def show() -> None:
        m = _mul(tm, ctm)
        x, y = m[4], m[5]
        eff = abs(size) * (m[2] ** 2 + m[3] ** 2) ** 0.5
        runs.append(Run(x, height - y, eff, key))
        add(key, (x, y - 0.25 * eff, x + 0.5 * eff, y + 0.8 * eff))

    for tok in tokens(content):
        if tok is _STR:
            (nest[-1] if nest else operands).append(tok)
            continue
        first = tok[0]
        if first in _NUMERIC:
            (nest[-1] if nest else operands).append(tok)
            continue
        if first == 47:  # "/" a name
            (nest[-1] if nest else operands).append(tok.decode("latin-1"))
            continue
        if tok in (b"[", b"<<"):
            nest.append([])
            continue
        if tok in (b"]", b">>"):
            items = nest.pop() if nest else []
            if tok == b">>":
                value: Any = {items[i]: items[i + 1] for i in range(0, len(items) - 1, 2)}
            else:
                value = items
            (nest[-1] if nest else operands).append(value)
            continue
        if nest:  # true, false, null inside an array or dictionary
            nest[-1].append(tok.decode("latin-1"))
            continue
        o = tok
        if o in _PATH:
            vals = [float(v) for v in operands if isinstance(v, bytes)]
            xs, ys = vals[0::2], vals[1::2]
            if xs:
                if path:
                    path = [min(path[0], *xs), min(path[1], *ys),
                            max(path[2], *xs), max(path[3], *ys)]  # fmt: skip
                else:
                    path = [min(xs), min(ys), max(xs), max(ys)]
        elif o == b"cm" and len(operands) >= 6:
            ctm = _mul(tuple(nums(6)), ctm)
        elif o == b"q":
            gstack.append((ctm, clip))
        elif o == b"Q":
            ctm, clip = gstack.pop() if gstack else (IDENTITY, None)
        elif o == b"BT":
            tm = tlm = IDENTITY
        elif o in (b"Tj", b"TJ"):
            show()
        elif o == b"Tf" and operands:
            size = float(operands[-1])
        elif o == b"Tm" and len(operands) >= 6:
            tm = tlm = tuple(nums(6))
        elif o == b"re" and len(operands) >= 4:
            x, y, w, h = nums(4)
            box = [min(x, x + w), min(y, y + h), max(x, x + w), max(y, y + h)]
            path = (
                [min(path[0], box[0]), min(path[1], box[1]), max(path[2], box[2]),
                 max(path[3], box[3])] if path else box
            )  # fmt: skip
        elif o in _PAINT:
            end_path(painted=True)
        elif o == b"n":
            end_path(painted=False)
        elif o in (b"W", b"W*"):
            clipping = True
        elif o == b"TL" and operands:
            leading = float(operands[-1])
        elif o in (b"Td", b"TD") and len(operands) >= 2:
            tx, ty = nums(2)
            if o == b"TD":
                leading = -ty
            tlm = _mul((1.0, 0.0, 0.0, 1.0, tx, ty), tlm)
            tm = tlm
        elif o in (b"T*", b"'", b'"'):
            tlm = _mul((1.0, 0.0, 0.0, 1.0, 0.0, -leading), tlm)
            tm = tlm
            if o != b"T*":
                show()
        elif o == b"Do" and operands:
            xbox = _xobject_box(resources, operands[-1], ctm)
            if xbox:
                add(key, xbox)
        elif o == b"BDC" and len(operands) >= 2:
            stack.append((operands[-2], _props(operands[-1], resources)))
            key = _key(stack)
        elif o == b"BMC" and operands:
            stack.append((operands[-1], {}))
            key = _key(stack)
        elif o == b"EMC":
            if stack:
                stack.pop()
            key = _key(stack)
        operands = []
    return runs, marked


# ------------------------------------------------------------------ words


def _start_pdftotext(path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["pdftotext", "-bbox-layout", str(path), "-"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _pdftotext_words(proc: subprocess.Popen[bytes]) -> list[tuple[float, float, list[list[Word]]]]:
    """Per page: width, height and the lines of words poppler extracts."""
    out_bytes, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"pdftotext failed: {err.decode(errors='replace').strip()}")
    root = ET.fromstring(out_bytes)
    out = []
    for n, page in enumerate(root.iter(f"{XHTML}page"), start=1):
        lines: list[list[Word]] = []
        for line in page.iter(f"{XHTML}line"):
            words = [
                Word(
                    n,
                    float(w.get("xMin", 0)),
                    float(w.get("yMin", 0)),
                    float(w.get("xMax", 0)),
                    float(w.get("yMax", 0)),
                    w.text or "",
                    line=len(lines),
                )
                for w in line.iter(f"{XHTML}word")
            ]
            if words:
                lines.append(words)
        out.append((float(page.get("width", 0)), float(page.get("height", 0)), lines))
    return out


def _assign(words: list[Word], runs: list[Run]) -> None:
    """Give each word the key of the text run it belongs to: the run that
    starts at or just before the word on a baseline inside the word's box."""
    runs = sorted(runs, key=lambda r: r.y)
    ys = [r.y for r in runs]
    for w in words:
        lo, hi = bisect.bisect_left(ys, w.y0), bisect.bisect_right(ys, w.y1)
        best: Run | None = None
        for r in runs[lo:hi]:
            if r.x <= w.x0 + 0.5 and (best is None or r.x > best.x):
                best = r
        if best is None:  # a word whose first glyph is left of every run (kerning)
            cands = [r for r in runs[lo:hi] if r.x <= w.x1]
            best = min(cands, key=lambda r: r.x, default=None)
        if best is not None:
            w.key = best.key


# ------------------------------------------------------------------ structure tree


@dataclass(frozen=True)
class _Ref:
    num: int


_OBJ_TOKEN = re.compile(
    rb"\s*(?:(\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\))"  # 1 literal string
    rb"|(<<|>>|\[|\])"  # 2 delimiters
    rb"|<([0-9A-Fa-f\s]*)>"  # 3 hex string
    rb"|(/[^\s/\[\]()<>{}%]*)"  # 4 name
    rb"|([-+]?(?:\d+\.?\d*|\.\d+))"  # 5 number
    rb"|([A-Za-z]+))",  # 6 keyword (R, true, false, null, endobj, stream)
    re.S,
)
_REF_TAIL = re.compile(rb"\s+(\d+)\s+R(?![A-Za-z])")
_CLOSE = re.compile(rb"\s*(\]|>>)")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _text(raw: bytes) -> str:
    """A PDF text string: UTF-16BE with a byte-order mark, else PDFDocEncoding
    (read as Latin-1, which agrees on everything a title holds)."""
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    return raw.decode("latin-1")


def _literal(body: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(body):
        c = body[i : i + 1]
        if c != b"\\":
            out += c
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        if nxt in _ESCAPES:
            out += _ESCAPES[nxt]
            i += 2
        elif nxt.isdigit():
            j = i + 1
            while j < min(i + 4, len(body)) and body[j : j + 1] in b"01234567":
                j += 1
            out.append(int(body[i + 1 : j], 8) & 0xFF)
            i = j
        elif nxt in (b"\r", b"\n"):
            i += 2
        else:
            out += nxt
            i += 2
    return bytes(out)


class _Objects:
    """Objects of a PDF read straight from their offsets (the structure tree
    is thousands of small dictionaries, which this reads many times faster
    than a general parser); objects kept in object streams come from pypdf."""

    def __init__(self, reader: pypdf.PdfReader, data: bytes) -> None:
        self.reader, self.data = reader, data
        self.offsets: dict[int, int] = dict(reader.xref.get(0, {}))
        self.cache: dict[int, Any] = {}

    def get(self, value: Any) -> Any:
        if not isinstance(value, _Ref):
            return value
        if value.num not in self.cache:
            self.cache[value.num] = self._load(value.num)
        return self.cache[value.num]

    def _load(self, num: int) -> Any:
        off = self.offsets.get(num)
        if off is not None and self.data.startswith(b"%d 0 obj" % num, off):
            value, _ = self._parse(off + len(b"%d 0 obj" % num))
            return value
        return _plain(self.reader.get_object(num))

    def _parse(self, pos: int) -> tuple[Any, int]:
        m = _OBJ_TOKEN.match(self.data, pos)
        if m is None:
            raise ValueError(f"unreadable PDF object at byte {pos}")
        pos = m.end()
        lit, delim, hexs, name, num, word = m.groups()
        if num is not None:
            # an indirect reference: "12 0 R"
            r = _REF_TAIL.match(self.data, pos)
            if r is not None and "." not in num.decode():
                return _Ref(int(num)), r.end()
            return (float(num) if b"." in num else int(num)), pos
        if name is not None:
            return name.decode("latin-1"), pos
        if lit is not None:
            return _text(_literal(lit[1:-1])), pos
        if hexs is not None:
            digits = re.sub(rb"\s", b"", hexs)
            return _text(bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())), pos
        if delim in (b"[", b"<<"):
            items: list[Any] = []
            close = b"]" if delim == b"[" else b">>"
            while True:
                m2 = _CLOSE.match(self.data, pos)
                if m2 is not None and m2.group(1) == close:
                    pos = m2.end()
                    break
                item, pos = self._parse(pos)
                items.append(item)
            if delim == b"[":
                return items, pos
            return {items[i]: items[i + 1] for i in range(0, len(items) - 1, 2)}, pos
        return {b"true": True, b"false": False}.get(word or b""), pos


def _plain(obj: Any) -> Any:
    """A pypdf object as plain Python (references as ``_Ref``)."""
    if isinstance(obj, IndirectObject):
        return _Ref(obj.idnum)
    if isinstance(obj, DictionaryObject):
        return {str(k): _plain(obj.raw_get(k)) for k in obj}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    if isinstance(obj, int | float):
        return obj
    return str(obj)


def _structure(reader: pypdf.PdfReader, objects: _Objects) -> Element | None:
    catalog = reader.root_object
    if "/StructTreeRoot" not in catalog:
        return None
    tree = objects.get(_plain(catalog.raw_get("/StructTreeRoot")))
    rolemap = {k: v for k, v in (objects.get(tree.get("/RoleMap")) or {}).items()}
    page_no = {
        p.indirect_reference.idnum: i
        for i, p in enumerate(reader.pages, start=1)
        if p.indirect_reference is not None
    }

    def page_of(node: dict[str, Any], inherited: int | None) -> int | None:
        ref = node.get("/Pg")
        return page_no.get(ref.num, inherited) if isinstance(ref, _Ref) else inherited

    def role(s: str) -> str:
        seen = set()
        while s in rolemap and s not in seen:
            seen.add(s)
            s = rolemap[s]
        return s.lstrip("/")

    def build(node: dict[str, Any], parent: Element | None, page: int | None) -> Element:
        el = Element(
            role(str(node.get("/S", ""))),
            title=str(objects.get(node.get("/T", ""))),
            alt=str(objects.get(node.get("/Alt", ""))),
            parent=parent,
        )
        page = page_of(node, page)
        kids = objects.get(node.get("/K"))
        if kids is None:
            return el
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = objects.get(kid)
            if isinstance(kid, int):
                if page is not None:
                    el.refs.append((page, kid))
            elif isinstance(kid, dict):
                kind = kid.get("/Type")
                if kind == "/MCR":
                    p = page_of(kid, page)
                    if p is not None:
                        el.refs.append((p, int(kid["/MCID"])))
                elif "/S" in kid and kind != "/OBJR":
                    el.children.append(build(kid, el, page))
        return el

    root = Element("StructTreeRoot")
    kids = objects.get(tree.get("/K"))
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = objects.get(kid)
        if isinstance(kid, dict) and "/S" in kid:
            root.children.append(build(kid, root, None))
    return root


# ------------------------------------------------------------------ entry point


def read_pdf(path: Path) -> Document:
    """Words, lines, marked content and structure of the PDF at ``path``."""
    proc = _start_pdftotext(path)  # poppler runs while Python reads the rest
    try:
        reader = pypdf.PdfReader(str(path))
        streams = []
        for page in reader.pages:
            contents = page.get_contents()
            data = contents.get_data() if contents is not None else b""
            resources = page.get("/Resources")
            if isinstance(resources, IndirectObject):
                resources = resources.get_object()
            height = float(page.mediabox.height)
            streams.append((float(page.mediabox.width), height, interpret(data, resources, height)))
        root = _structure(reader, _Objects(reader, path.read_bytes()))
    finally:
        extracted = _pdftotext_words(proc)
    pages: list[Page] = []
    for n, ((width, height, (runs, marked)), (_, _, lines)) in enumerate(
        zip(streams, extracted, strict=True), start=1
    ):
        _assign([w for ws in lines for w in ws], runs)
        pages.append(Page(n, width, height, [Line(n, ws) for ws in lines], marked))
    doc = Document(path, pages, root)
    doc.index()
    return doc
