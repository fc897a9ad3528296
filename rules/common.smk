# Paths, helpers and input functions shared by the rules. No rule lives here.

import os
import sys
from pathlib import Path

SCRIPTS = Path(workflow.basedir) / "scripts"
sys.path.insert(0, str(SCRIPTS))
from prp.artifacts.catalog import load_catalog  # noqa: E402
from prp.data.checks import geometry_files, references as check_references  # noqa: E402
from prp.data.datapackage import load_package, resource, schema_only  # noqa: E402
from prp.render.needs import edition_needs  # noqa: E402
from prp.runtime.deps import script_code  # noqa: E402
from prp.runtime.env import configure  # noqa: E402
from prp.runtime.inproc import run_in_process  # noqa: E402

# PYTHONPATH, offline cartopy, SOURCE_DATE_EPOCH, headless matplotlib.
CARTOPY_DIR = configure(workflow.basedir, config["source_date_epoch"])

BUILD = "build"
# sha256-keyed cache of each code file's imports (prp.runtime.deps)
CODE_CACHE = ".snakemake/prp/code-deps.json"
REPORT = "report"
DATA = config["data_dir"]
EDITIONS = list(config["editions"])

ARTIFACTS = load_catalog("config/artifacts")


wildcard_constraints:
    edition="|".join(EDITIONS),
    dataset="[a-z][a-z0-9_]*",


def log_path(rule_name, *wildcards):
    return os.path.join(BUILD, "logs", rule_name, *wildcards) + ".log"


def edition_outputs(editions):
    names = ("index.html", "report.pdf", "provenance.json", "ro-crate-metadata.json")
    return [f"{BUILD}/{e}/{name}" for e in editions for name in names]


def profile_of(edition):
    return config["editions"][edition]["profile"]


RESTRICTED_PREFIX = "restricted/"


def raw_path_of(name):
    """Raw file of a dataset, from the data package. Resources described under
    restricted/ live in config's restricted_dir, which may be outside the repo."""
    path = resource(DATA, name)["path"]
    if path.startswith(RESTRICTED_PREFIX):
        return f"{config['restricted_dir']}/{path[len(RESTRICTED_PREFIX):]}"
    return f"{DATA}/{path}"


def is_restricted(name):
    return resource(DATA, name)["path"].startswith(RESTRICTED_PREFIX)


def raw_path(wildcards):
    return raw_path_of(wildcards.dataset)


def dataset_schema(wildcards):
    """The resource description minus its hash: a schema change reruns the
    validation, a data change reruns it through the input file itself. Paths
    that the dataset's x-checks read are resolved against the data folder."""
    res = schema_only(resource(DATA, wildcards.dataset))
    for check in res.get("x-checks", []):
        for spec in check.values():
            if "geometry" in spec:
                spec["geometry_path"] = f"{DATA}/{spec['geometry']}"
    return res


def dataset_references(wildcards):
    """Other datasets a dataset is checked against: name -> path and schema."""
    return {
        name: {"path": raw_path_of(name), "resource": schema_only(resource(DATA, name))}
        for name in check_references(resource(DATA, wildcards.dataset))
    }


def reference_files(wildcards):
    res = resource(DATA, wildcards.dataset)
    return [raw_path_of(n) for n in check_references(res)] + [
        f"{DATA}/{g}" for g in geometry_files(res)
    ]


def clean(dataset):
    return f"{BUILD}/clean/{dataset}.parquet"


def data_dir_param(wildcards):
    return DATA


def table_params(table_id):
    meta = ARTIFACTS["tables"][table_id]
    return {
        "id": table_id,
        "caption": meta["caption"],
        "datasets": meta["datasets"],
        "note": meta.get("note", ""),
        # the descriptor's folder, for source lines; relative, so that a moved
        # checkout reruns nothing (a function: a plain string that prefixes the
        # data/geo inputs reads as a hard-coded path to snakemake --lint)
        "data_dir": data_dir_param,
    }


def code_of(script, in_process=False):
    """Project code that scripts/<script>.py reaches through its imports
    (prp modules, other scripts, and the files those modules declare in
    RUNTIME_FILES), derived by prp.runtime.deps; editing any of it reruns the
    rule's jobs. Paths are relative, so a moved checkout reruns nothing. A
    rule that runs its script in Snakemake's process (prp.runtime.inproc)
    declares the script too: Snakemake tracks only a `script:` by itself."""
    code = script_code(SCRIPTS, script, cache_file=CODE_CACHE)
    if in_process:
        code = sorted([*code, os.path.relpath(SCRIPTS / f"{script}.py")])
    return code


def render_inputs(wildcards):
    """Everything an edition renders from: its chapters and included snippets,
    the tables/figures they include, the number files they cite, and the
    code: the renderer's modules and the report's format (the Quarto
    extension under report/_extensions/, run by both engines). Other
    editions' chapters are not inputs."""
    profile = profile_of(wildcards.edition)
    needs = edition_needs(REPORT, profile)
    return {
        "config": [
            f"{REPORT}/_quarto.yml",
            f"{REPORT}/_quarto-{profile}.yml",
            f"{REPORT}/references.bib",
        ],
        "sources": [f"{REPORT}/{s}" for s in needs["sources"]],
        "artifacts": [f"{BUILD}/{a}" for a in needs["artifacts"]],
        "numbers": [f"{BUILD}/numbers/{ns}.yml" for ns in needs["variables"]],
        # provenance records of every table, figure and number set shown
        "records": [prov(a.rsplit(".", 1)[0]) for a in needs["artifacts"] if a.endswith(".md")]
        + [prov(f"numbers/{ns}") for ns in needs["variables"]],
        # validation records of the datasets the edition may draw on, so that
        # its provenance reaches back to the raw files (never, for an edition
        # that may not read restricted data, to a restricted file)
        "dataset_records": [
            prov(f"clean/{d}") for d in TABULAR if edition_may_read(wildcards.edition, d)
        ],
        "code": code_of("render_edition") + [f"{REPORT}/{e}" for e in needs["extension"]],
    }


def edition_profile(wildcards):
    return profile_of(wildcards.edition)


def figure_params(figure_id):
    meta = ARTIFACTS["figures"][figure_id]
    return {
        "id": figure_id,
        "caption": meta["caption"],
        "alt": " ".join(meta["alt"].split()),
        "datasets": meta["datasets"],
        "note": meta.get("note", ""),
        # the descriptor's folder, for source lines; relative, so that a moved
        # checkout reruns nothing (a function: a plain string that prefixes the
        # data/geo inputs reads as a hard-coded path to snakemake --lint)
        "data_dir": data_dir_param,
    }


def printed_datasets(wildcards):
    """Clean datasets that the values printed in 2018 are recomputed from
    (column `dataset` of data/published/printed_values.csv)."""
    import csv

    path = f"{DATA}/{resource(DATA, 'printed_values')['path']}"
    with open(path, encoding="utf-8", newline="") as fh:
        names = {
            part.split(".")[0]
            for row in csv.DictReader(fh)
            for part in row["dataset"].split("+")
            if part
        }
    return [clean(n) for n in sorted(names)]


# Every tabular dataset of the data package (validated by validate_dataset).
TABULAR = [r["name"] for r in load_package(DATA)["resources"] if r.get("format") == "csv"]


# Namespaces of inline numbers declared in config/numbers/<namespace>.yaml.
SPEC_NAMESPACES = sorted(p.stem for p in Path("config/numbers").glob("*.yaml"))


wildcard_constraints:
    namespace="|".join(SPEC_NAMESPACES) or "no-spec-namespace",


def spec_datasets(wildcards):
    from prp.artifacts.numbers import datasets_of, load_spec

    return [clean(d) for d in datasets_of(load_spec(f"config/numbers/{wildcards.namespace}.yaml"))]


def prov(name):
    """Provenance record of a job, named after its main output:
    build/provenance/tables/<id>.json for build/tables/<id>.md, etc."""
    return f"{BUILD}/provenance/{name}.json"


def bench_path(name):
    """Snakemake benchmark file of a job (wall time and peak memory)."""
    return f"{BUILD}/benchmarks/{name}.tsv"


# Crime-event aggregates and maps (Part 3, Figures 3.1-3.7). The restricted
# event table reaches the public edition only through release_aggregates.
# disclosure.k: smallest count released; disclosure.grid_degrees: grid cell size;
# disclosure.rail_buffer_km: how far from the track an event counts as beside it.
DISCLOSURE_K = config["disclosure"]["k"]
GRID_DEGREES = config["disclosure"]["grid_degrees"]
RAIL_BUFFER_KM = config["disclosure"]["rail_buffer_km"]

# Output name of release_aggregates -> released dataset (data/released/<name>.csv).
RELEASED = {
    "totals": "events_by_state",
    "location": "events_by_state_location",
    "perpetrator": "events_by_state_perpetrator",
    "crime": "events_by_state_crime",
    "grid": "events_grid",
    "period": "events_period",
    "rail": "events_rail_segments",
}


def released_csv(name):
    return f"{DATA}/released/{name}.csv"


def event_categories():
    """Category lists of the restricted event table, read from its schema."""
    from prp.events.disclosure import alternatives

    fields = {f["name"]: f for f in resource(DATA, "camrd_events")["schema"]["fields"]}
    return {
        "state_location": fields["location_type"]["constraints"]["enum"],
        "state_perpetrator": fields["perpetrator_type"]["constraints"]["enum"],
        "state_crime": alternatives(fields["crime_types"]["constraints"]["pattern"]),
    }


def map_inputs():
    """Geometry every map reads: files of data/geo named by the data package."""
    return {
        "states": raw_path_of("mexico_states"),
        "countries": raw_path_of("countries"),
        "rails": raw_path_of("rail_segments"),
        "places": clean("places"),
    }


def edition_may_read(edition, dataset):
    return config["editions"][edition]["restricted"] or not is_restricted(dataset)
