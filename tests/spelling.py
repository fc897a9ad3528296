"""British spelling variants in text meant for readers (shared by the unit
test of the sources and the integration test of the built editions).

The report is written in US English, one spelling per word. ``variants``
lists every British form it finds with the US form to use instead. Proper
names and titles of cited works keep their own spelling: they are listed in
``KEPT`` with the reason, and only there may a British form appear.
"""

from __future__ import annotations

import re

# Verbs spelled -ize in US English (British -ise), with their derived forms.
IZE_STEMS = [
    "apolog",
    "author",
    "capital",
    "categor",
    "central",
    "characteriz",
    "critic",
    "criminal",
    "decentral",
    "decriminal",
    "democrat",
    "emphas",
    "equal",
    "familiar",
    "final",
    "formal",
    "general",
    "global",
    "harmon",
    "hospital",
    "idealiz",
    "immobil",
    "industrial",
    "institutional",
    "international",
    "italic",
    "jeopard",
    "legal",
    "legitim",
    "liberal",
    "local",
    "marginal",
    "material",
    "maxim",
    "memor",
    "minim",
    "mobil",
    "modern",
    "monopol",
    "natural",
    "neutral",
    "normal",
    "operational",
    "optim",
    "organ",
    "penal",
    "polar",
    "politic",
    "popular",
    "prioritiz",
    "priorit",
    "privat",
    "radical",
    "random",
    "rational",
    "real",
    "recogn",
    "regular",
    "revolution",
    "sanit",
    "scrutin",
    "sensit",
    "social",
    "special",
    "stabil",
    "standard",
    "stigmat",
    "subsid",
    "summar",
    "symbol",
    "sympath",
    "synchron",
    "terror",
    "theor",
    "traumat",
    "urban",
    "util",
    "victim",
    "visual",
]
IZE_STEMS = [s.removesuffix("iz") for s in IZE_STEMS]

# Whole words: British form -> US form.
WORDS = {
    "analyse": "analyze",
    "analysed": "analyzed",
    "analysing": "analyzing",
    "paralyse": "paralyze",
    "paralysed": "paralyzed",
    "catalyse": "catalyze",
    "programme": "program",
    "programmes": "programs",
    "catalogue": "catalog",
    "catalogues": "catalogs",
    "licence": "license",
    "licences": "licenses",
    "defence": "defense",
    "offence": "offense",
    "offences": "offenses",
    "pretence": "pretense",
    "judgement": "judgment",
    "judgements": "judgments",
    "acknowledgement": "acknowledgment",
    "ageing": "aging",
    "whilst": "while",
    "amongst": "among",
    "enquiry": "inquiry",
    "enquiries": "inquiries",
    "grey": "gray",
    "sceptical": "skeptical",
    "artefact": "artifact",
    "artefacts": "artifacts",
    "fulfil": "fulfill",
    "enrolment": "enrollment",
    "instalment": "installment",
    "skilful": "skillful",
    "wilful": "willful",
    "learnt": "learned",
    "spelt": "spelled",
    "focussed": "focused",
    "manoeuvre": "maneuver",
    "storey": "story",
    "cheque": "check",
    "tyre": "tire",
    "kerb": "curb",
    "mould": "mold",
    "aluminium": "aluminum",
    "practise": "practice",
    "practised": "practiced",
}
OUR = [
    "colo",
    "favo",
    "behavio",
    "neighbo",
    "hono",
    "labo",
    "harbo",
    "humo",
    "rumo",
    "vigo",
    "endeavo",
    "flavo",
    "savo",
    "armo",
    "odo",
    "parlo",
    "splendo",
    "tumo",
    "valo",
    "vapo",
]
TRE = [
    "cent",
    "met",
    "kilomet",
    "lit",
    "theat",
    "fib",
    "calib",
    "spect",
    "somb",
    "lust",
    "meag",
    "sab",
]
DOUBLED_L = "travel label model cancel fuel signal channel counsel level total marshal tunnel equal"

PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"\b(" + "|".join(IZE_STEMS) + r")is(e|ed|es|ing|ation|ations|er|ers)\b"),
        r"\1iz\2",
    ),
    (
        re.compile(r"\b(" + "|".join(OUR) + r")ur(s|ed|ing|er|ers|ite|ites|able|hood|hoods)?\b"),
        r"\1r\2",
    ),
    (re.compile(r"\b(" + "|".join(TRE) + r")re(s|d)?\b"), r"\1er\2"),
    (re.compile(r"\b(" + DOUBLED_L.replace(" ", "|") + r")l(ed|ing|er|ers|or|ors)\b"), r"\1\2"),
    (re.compile(r"\b(" + "|".join(WORDS) + r")\b"), ""),
]

KEPT = {
    "European Migrant Smuggling Centre": "proper name (Europol's center)",
    "Jakarta Centre for Law Enforcement Cooperation": "proper name",
    "Centre for Law Enforcement Cooperation": "proper name (JCLEC)",
    "Tackling the organised": "title of a cited Europol page",
    "programme=": "column name of police_practice_figures.csv in selectors (a code)",
}
"""Phrases that keep a British form, with the reason."""


def _us_form(match: re.Match[str], replacement: str) -> str:
    word = match.group(0)
    if not replacement:
        return WORDS[word.lower()]
    return match.expand(replacement)


def variants(text: str) -> list[tuple[str, str]]:
    """(British form, US form) for every variant in ``text``, in order;
    phrases of ``KEPT`` are skipped."""
    # a word hyphenated at a line end (soft or hard hyphen), joined
    text = re.sub("\u00ad\\s*|-[ \\t]*\\n\\s*(?=[a-z])", "", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\S*(/|www\.|https?:)\S*", " ", text)  # web addresses and paths keep theirs
    for phrase in KEPT:
        text = text.replace(phrase, " ")
    found: list[tuple[int, str, str]] = []
    lowered = text.lower()
    for pattern, replacement in PATTERNS:
        for m in pattern.finditer(lowered):
            found.append((m.start(), text[m.start() : m.end()], _us_form(m, replacement)))
    return [(word, us) for _, word, us in sorted(found)]
