"""Checks of the text tables transcribed from the 2018 report.

Covers data/raw/{criminal_actors, transactional_crimes, predatory_crimes,
police_laws_policies, human_rights_practices, federal_agencies,
agency_relations, acronyms}.csv: declared types, keys, cross-references
between the files, the shape of the organization chart, quotation marks,
Spanish accents, and that the prose columns are written in this project's own
words rather than copied from the 2018 text.

The own-words and verbatim-quotation checks compare with the committed
fingerprint of the 2018 text (tests/source2018.py), so they run everywhere;
where the text itself is at hand (``$PRP_SOURCE_TEXT`` or
``../shared/source/000_fb29640889b1f0bf.txt``) a test also checks that the
fingerprint was made from it.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pytest

from prp.data.datapackage import resource
from prp.data.validate import read_validated
from tests import source2018

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
RAW = DATA / "raw"
SOURCE = Path(
    os.environ.get(
        "PRP_SOURCE_TEXT", REPO.parent / "shared" / "source" / "000_fb29640889b1f0bf.txt"
    )
)

# file -> primary key
TABLES: dict[str, list[str]] = {
    "criminal_actors": ["actor"],
    "transactional_crimes": ["crime"],
    "predatory_crimes": ["crime"],
    "police_laws_policies": ["order"],
    "human_rights_practices": ["country"],
    "federal_agencies": ["agency"],
    "agency_relations": ["from_agency", "to_agency", "kind"],
    "acronyms": ["acronym"],
}
# file -> columns written in this project's words (must not copy the 2018 text)
PROSE: dict[str, list[str]] = {
    "criminal_actors": ["scale", "territory", "description"],
    "transactional_crimes": ["description"],
    "predatory_crimes": ["description"],
    "police_laws_policies": ["provision", "implication", "note"],
    "human_rights_practices": ["practice", "description"],
    "federal_agencies": ["role", "note"],
    "agency_relations": ["description"],
    "acronyms": ["note"],
}
# prose columns that must be filled on every row
REQUIRED_PROSE: dict[str, list[str]] = {
    "criminal_actors": ["scale", "territory", "description"],
    "transactional_crimes": ["description"],
    "predatory_crimes": ["description"],
    "police_laws_policies": ["provision", "implication"],
    "human_rights_practices": ["practice", "description"],
    "federal_agencies": ["role"],
    "agency_relations": ["description"],
}
SPANISH_NAME_COLUMNS = {
    "federal_agencies": ["name_es"],
    "acronyms": ["name_es"],
    "police_laws_policies": ["instrument_es"],
}
# Spanish words that need an accent (checked as whole words, case-sensitive).
UNACCENTED = [
    "Policia",
    "Procuraduria",
    "Republica",
    "Secretaria",
    "Migracion",
    "Gobernacion",
    "Politica",
    "Investigacion",
    "Comision",
    "Constitucion",
    "Busqueda",
    "Documentacion",
    "Poblacion",
    "Colaboracion",
    "Informacion",
    "Mexico",
    "Trafico",
]
N_WORDS = 8
N_ENDNOTES = 129  # endnotes of the 2018 report
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")
ACRONYM_TOKEN = re.compile(r"\b[A-Z][A-Z0-9]+(?:-[0-9]+)?(?=s?\b)")


# ---------------------------------------------------------------- pure helpers


def copied_runs(text: str) -> list[str]:
    """Runs of N_WORDS words of ``text`` (outside quotation marks) that occur
    in the 2018 text."""
    return source2018.copied_runs(source2018.words(QUOTED.sub(" | ", text)), N_WORDS)


def find_cycle(edges: Iterable[tuple[str, str]]) -> list[str] | None:
    """A cycle of the directed graph as a list of nodes, or None if it is acyclic."""
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
        graph.setdefault(b, [])
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in graph:
        if state.get(start):
            continue
        path, stack = [start], [iter(graph[start])]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(graph[nxt]))
    return None


def split_ids(cell: str) -> list[str]:
    return [p for p in cell.split(";") if p] if cell else []


def normalise_quotes(text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.translate(str.maketrans({"“": '"', "”": '"', "’": "'", "‘": "'"}))
    return re.sub(r"\s+", " ", text)


# ---------------------------------------------------------------- fixtures


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(RAW / f"{name}.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return {name: read(name) for name in TABLES}


def test_fingerprint_is_of_the_2018_text():
    """The committed fingerprint is that of the 2018 text (checked where the
    text is at hand; the checks below always run on the fingerprint)."""
    assert source2018.load()[8] and source2018.load()[4]
    if SOURCE.exists():
        text = SOURCE.read_text(encoding="utf-8")
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == source2018.source_sha256()


# ---------------------------------------------------------------- helper tests


def test_copied_runs_finds_copy_and_ignores_quotation():
    """A run of the 2018 text's own words (its opening statement of where
    migrants come from is not quoted here: the run is built from the
    fingerprint's tokens) is found; the same run in quotation marks is not."""
    run = "organized crime and central american migration in mexico"
    assert source2018.gram_hash(run.split()) in source2018.load()[8]
    assert copied_runs(f"Here {run} again.")
    assert not copied_runs(f"It said “{run}” again.")
    assert not copied_runs("A quick brown fox leaps over the lazy dog again and again.")


def test_find_cycle():
    assert find_cycle([("a", "b"), ("b", "c"), ("a", "c")]) is None
    cycle = find_cycle([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
    assert cycle is not None and cycle[0] == cycle[-1] and set(cycle) == {"a", "b", "c"}
    assert find_cycle([("x", "x")]) == ["x", "x"]


# ---------------------------------------------------------------- types and keys


@pytest.mark.parametrize("name", list(TABLES))
def test_loads_with_declared_types(name):
    res = resource(DATA, name)
    df = read_validated(RAW / f"{name}.csv", res)
    assert len(df) > 0
    assert list(res["schema"]["primaryKey"]) == TABLES[name]


@pytest.mark.parametrize("name", list(TABLES))
def test_primary_key_unique_and_complete(frames, name):
    df, pk = frames[name], TABLES[name]
    assert (df[pk] != "").all().all(), f"{name}: empty key value"
    dup = df[df.duplicated(pk, keep=False)]
    assert dup.empty, f"{name}: duplicate keys\n{dup[pk]}"


@pytest.mark.parametrize("name", [n for n in TABLES if n != "agency_relations"])
def test_order_runs_from_one(frames, name):
    order = frames[name]["order"].astype(int).tolist()
    assert order == list(range(1, len(order) + 1)), f"{name}: order is not 1..n in file order"


@pytest.mark.parametrize("name", [n for n in TABLES if n != "acronyms"])
def test_endnotes_are_2018_endnotes(frames, name):
    known = None
    if (RAW / "endnotes.csv").exists():
        known = set(read("endnotes")["endnote"].astype(int))
    for cell in frames[name]["endnote"]:
        for part in split_ids(cell):
            assert part.isdigit() and 1 <= int(part) <= N_ENDNOTES, f"{name}: endnote {cell!r}"
            if known is not None:
                assert int(part) in known, f"{name}: endnote {part} not in endnotes.csv"


# ---------------------------------------------------------------- cross-references


def test_table_3_1_actors(frames):
    actors = frames["criminal_actors"]
    listed = actors.loc[actors["in_table_3_1"] == "true", "actor"]
    assert listed.tolist() == ["local_actors", "gangs", "tcos"]


@pytest.mark.parametrize("name", ["transactional_crimes", "predatory_crimes"])
def test_perpetrators_are_known_actors(frames, name):
    actors = set(frames["criminal_actors"]["actor"])
    for crime, cell in zip(
        frames[name]["crime"], frames[name]["typical_perpetrators"], strict=True
    ):
        ids = split_ids(cell)
        assert ids, f"{name}/{crime}: no perpetrator"
        assert len(ids) == len(set(ids)), f"{name}/{crime}: repeated perpetrator"
        assert set(ids) <= actors, f"{name}/{crime}: unknown {set(ids) - actors}"


def test_crime_ids_distinct_across_tables(frames):
    both = pd.concat([frames["transactional_crimes"], frames["predatory_crimes"]])
    assert not both["crime"].duplicated().any()


def test_agency_parents_exist(frames):
    agencies = frames["federal_agencies"]
    ids = set(agencies["agency"])
    parents = set(agencies["parent"]) - {""}
    assert parents <= ids, f"unknown parent(s): {parents - ids}"


def test_org_chart_is_a_forest(frames):
    agencies = frames["federal_agencies"]
    edges = [(p, a) for a, p in zip(agencies["agency"], agencies["parent"], strict=True) if p]
    assert find_cycle(edges) is None
    roots = agencies.loc[agencies["parent"] == "", "agency"]
    assert len(roots) >= 1
    # one parent per agency (a column) + no cycle = every agency hangs under exactly one root
    assert len(edges) == len(agencies) - len(roots)


def test_relations_join_known_agencies(frames):
    ids = set(frames["federal_agencies"]["agency"])
    rel = frames["agency_relations"]
    for a, b in zip(rel["from_agency"], rel["to_agency"], strict=True):
        assert a in ids and b in ids, f"unknown agency in relation {a} -> {b}"
        assert a != b, f"self-relation on {a}"


def test_relations_do_not_restate_hierarchy_or_repeat_symmetric_links(frames):
    agencies = frames["federal_agencies"]
    parent = dict(zip(agencies["agency"], agencies["parent"], strict=True))
    rel = frames["agency_relations"]
    for a, b in zip(rel["from_agency"], rel["to_agency"], strict=True):
        assert parent[a] != b and parent[b] != a, f"{a}-{b}: hierarchy belongs in `parent`"
    sym = rel[rel["kind"] == "coordinates_with"]
    pairs = [frozenset(p) for p in zip(sym["from_agency"], sym["to_agency"], strict=True)]
    assert len(pairs) == len(set(pairs)), "coordinates_with stored in both directions"
    directed = rel[rel["kind"] != "coordinates_with"]
    assert find_cycle(zip(directed["from_agency"], directed["to_agency"], strict=True)) is None


def test_agency_acronyms_match_the_acronym_list(frames):
    acr = frames["acronyms"].set_index("acronym")
    agencies = frames["federal_agencies"]
    for a, name_es in zip(agencies["acronym"], agencies["name_es"], strict=True):
        if a:
            assert a in acr.index, f"{a} missing from acronyms.csv"
            if acr.at[a, "name_es"]:
                assert acr.at[a, "name_es"] == name_es, f"{a}: Spanish names differ"


def test_every_acronym_used_is_listed(frames):
    known = set(frames["acronyms"]["acronym"])
    used: dict[str, str] = {}
    for name, df in frames.items():
        for col in df.columns:
            for cell in df[col]:
                for token in ACRONYM_TOKEN.findall(cell):
                    used.setdefault(token, f"{name}.{col}")
    missing = {t: where for t, where in used.items() if t not in known}
    assert not missing, f"acronyms used but not in acronyms.csv: {missing}"


def test_acronym_list_keeps_2018_entries_first(frames):
    listed = frames["acronyms"]["listed_2018"].tolist()
    assert listed == sorted(listed, key=lambda v: v != "true"), "listed entries must come first"
    assert listed.count("true") == 37  # entries of the 2018 List of Acronyms


def test_borstar_misprint_corrected(frames):
    row = frames["acronyms"].set_index("acronym").loc["BORSTAR"]
    assert row["name_en"] == "Border Patrol Search, Trauma, and Rescue"
    assert "United States is the" in row["note"]


# ---------------------------------------------------------------- text checks


def test_quotations_in_quotation_marks(frames):
    for q in frames["police_laws_policies"]["quotation"]:
        if q:
            assert re.fullmatch(r"“[^“”]+”", q), f"not a single quotation in “ ”: {q[:60]}"


def test_quotations_are_verbatim_2018_text(frames):
    for q in frames["police_laws_policies"]["quotation"]:
        if q:
            inner = normalise_quotes(q[1:-1])
            assert source2018.in_order_in_source(inner), (
                f"quotation not found verbatim in the 2018 text: {inner[:60]}"
            )


@pytest.mark.parametrize("name", list(REQUIRED_PROSE))
def test_prose_is_filled(frames, name):
    for col in REQUIRED_PROSE[name]:
        empty = frames[name][col].str.strip() == ""
        assert not empty.any(), f"{name}.{col} empty on rows {list(empty[empty].index)}"


@pytest.mark.parametrize("name", list(PROSE))
def test_prose_is_in_own_words(frames, name):
    copied = {
        f"{name}.{col}[{i}]": runs
        for col in PROSE[name]
        for i, cell in enumerate(frames[name][col])
        if (runs := copied_runs(cell))
    }
    assert not copied, f"runs of {N_WORDS}+ words copied from the 2018 text: {copied}"


@pytest.mark.parametrize("name", list(SPANISH_NAME_COLUMNS))
def test_spanish_names_have_accents(frames, name):
    pattern = re.compile(r"\b(" + "|".join(UNACCENTED) + r")\b")
    for col in SPANISH_NAME_COLUMNS[name]:
        for cell in frames[name][col]:
            assert not pattern.search(cell), f"{name}.{col}: missing accent in {cell!r}"
