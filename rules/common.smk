# Paths, helpers and input functions shared by the rules. No rule lives here.

import json
import os
import re
import sys
from pathlib import Path

SCRIPTS = Path(workflow.basedir) / "scripts"
sys.path.insert(0, str(SCRIPTS))
from snakemake.exceptions import WorkflowError  # noqa: E402

from prp.artifacts.catalog import load_catalog  # noqa: E402
from prp.data import crypt  # noqa: E402
from prp.data.checks import geometry_files, references as check_references  # noqa: E402
from prp.data.datapackage import (  # noqa: E402
    declared_sha256,
    load_package,
    memoise,
    resource,
    schema_only,
)
from prp.render.needs import edition_needs, source_file  # noqa: E402
from prp.runtime import boundary  # noqa: E402
from prp.runtime.deps import script_code  # noqa: E402
from prp.runtime.env import configure  # noqa: E402
from prp.runtime.forked import run_forked  # noqa: E402
from prp.runtime.inproc import run_in_process  # noqa: E402
from prp.runtime.memo import validate_config  # noqa: E402
from prp.runtime.provenance import RESTRICTED_DIR_ENV  # noqa: E402

# What every start recomputes from the same bytes is memoised there: the
# configuration's validation against its schema (with the schema's defaults
# filled in) and the public data package's descriptor (prp.runtime.memo).
MEMO = ".snakemake/prp"
validate_config(config, Path(workflow.basedir) / "config" / "schema.yaml", MEMO)

# PYTHONPATH, offline cartopy, SOURCE_DATE_EPOCH, headless matplotlib.
CARTOPY_DIR = configure(workflow.basedir, config["source_date_epoch"])

BUILD = "build"
# sha256-keyed cache of each code file's imports (prp.runtime.deps)
CODE_CACHE = ".snakemake/prp/code-deps.json"
REPORT = "report"
DATA = config["data_dir"]
memoise(DATA, MEMO)

# Restricted sources are encrypted at rest in restricted/ (prp.data.crypt)
# and decrypted into RESTRICTED_SRC by `make restricted`/`make report` when
# an age identity is available. The workflow reads them only when that tree
# is complete and the build is not a public one (PRP_PUBLIC_ONLY=1, which
# prp.tools.build sets for `make public`): otherwise restricted rules,
# catalog entries and editions do not exist at all.
RESTRICTED_SRC = crypt.PLAIN.as_posix()
RESTRICTED = os.environ.get("PRP_PUBLIC_ONLY") != "1" and crypt.unsealed(RESTRICTED_SRC)
RESTRICTED_REPORT = f"{RESTRICTED_SRC}/report"
RESTRICTED_CATALOG = f"{RESTRICTED_SRC}/config/artifacts"
# the provenance records find the restricted resources' sources there
os.environ[RESTRICTED_DIR_ENV] = config["restricted_dir"]
_problem = boundary.restricted_dir_problem(config["restricted_dir"], DATA, ".", RESTRICTED_SRC)
if _problem:
    raise WorkflowError(_problem)
# Folders whose files only a restricted edition may read.
RESTRICTED_PATHS = [
    config["restricted_dir"],
    RESTRICTED_SRC,
    crypt.SEALED.as_posix(),
    f"{REPORT}/restricted",
    *crypt.LEGACY,
]

ALL_EDITIONS = list(config["editions"])
EDITIONS = [e for e in ALL_EDITIONS if RESTRICTED or not config["editions"][e]["restricted"]]

PUBLIC_ARTIFACTS = load_catalog("config/artifacts")
RESTRICTED_ARTIFACTS = (
    load_catalog(RESTRICTED_CATALOG) if RESTRICTED else {"tables": {}, "figures": {}}
)
ARTIFACTS = {
    kind: {**PUBLIC_ARTIFACTS[kind], **RESTRICTED_ARTIFACTS[kind]} for kind in PUBLIC_ARTIFACTS
}


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
    restricted/ live in config's restricted_dir (the decrypted tree, or a
    folder outside the repository); without the restricted sources they do
    not exist for the workflow."""
    path = resource(DATA, name)["path"]
    if path.startswith(RESTRICTED_PREFIX):
        if not RESTRICTED:
            raise WorkflowError(
                f"dataset {name} is restricted: a public build may not read it, and this "
                f"build has no restricted sources ({crypt.NEEDS_KEY})"
            )
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


def dataset_sha256(wildcards):
    """The sha256 the data package records for the raw file (none for a
    restricted resource, whose integrity is its ciphertext's)."""
    return declared_sha256(resource(DATA, wildcards.dataset)) or ""


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


TABLE_OPTIONS = ("year_prefix",)


def table_params(table_id):
    meta = ARTIFACTS["tables"][table_id]
    return {
        "id": table_id,
        "caption": meta["caption"],
        "datasets": meta["datasets"],
        "note": meta.get("note", ""),
        # optional per-table settings of the catalog
        **{key: meta[key] for key in TABLE_OPTIONS if key in meta},
        # the descriptor's folder, for source lines; relative, so that a moved
        # checkout reruns nothing (a function: a plain string that prefixes the
        # data/geo inputs reads as a hard-coded path to snakemake --lint)
        "data_dir": data_dir_param,
    }


def code_of(script, in_process=False, forked=False):
    """Project code that scripts/<script>.py reaches through its imports
    (prp modules, other scripts, and the files those modules declare in
    RUNTIME_FILES), derived by prp.runtime.deps; editing any of it reruns the
    rule's jobs. Paths are relative, so a moved checkout reruns nothing.
    Where the rule's run block calls its script, in Snakemake's process
    (in_process, prp.runtime.inproc) or in a forked one (forked,
    prp.runtime.forked), the script is declared too (Snakemake tracks only
    a script directive by itself), and so is the runner that calls it with
    its own imports, which writes the job's log and provenance record."""
    code = script_code(SCRIPTS, script, cache_file=CODE_CACHE)
    if in_process or forked:
        runner = "prp/runtime/forked" if forked else "prp/runtime/inproc"
        code = sorted(
            {
                *code,
                *script_code(SCRIPTS, runner, cache_file=CODE_CACHE),
                os.path.relpath(SCRIPTS / f"{script}.py"),
                os.path.relpath(SCRIPTS / f"{runner}.py"),
            }
        )
    return code


def render_inputs(wildcards):
    """Everything an edition renders from: its chapters and included snippets,
    the tables/figures they include, the number files they cite, and the
    code: the renderer's modules and the report's format (the Quarto
    extension under report/_extensions/, run by both engines). Other
    editions' chapters are not inputs."""
    profile = profile_of(wildcards.edition)
    overlay = overlay_of(wildcards.edition)
    needs = edition_needs(REPORT, profile, overlay)
    return {
        "config": [
            f"{REPORT}/_quarto.yml",
            f"{REPORT}/_quarto-{profile}.yml",
            f"{REPORT}/references.bib",
        ],
        "sources": [
            os.path.normpath(source_file(Path(REPORT), s, overlay)) for s in needs["sources"]
        ],
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


def overlay_of(edition):
    """Where an edition's restricted chapters are read from: the decrypted
    tree, for a restricted edition only."""
    if config["editions"][edition]["restricted"]:
        return {"restricted/": RESTRICTED_REPORT}
    return {}


def edition_overlay(wildcards):
    return overlay_of(wildcards.edition)


def figure_params(figure_id):
    meta = ARTIFACTS["figures"][figure_id]
    return {
        "id": figure_id,
        "caption": meta["caption"],
        "alt": " ".join(meta["alt"].split()),
        "datasets": meta["datasets"],
        "note": meta.get("note", ""),
        # optional per-table settings of the catalog
        **{key: meta[key] for key in TABLE_OPTIONS if key in meta},
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


# Every tabular dataset of the data package (validated by validate_dataset)
# that this build may read: restricted ones only with the restricted sources.
TABULAR = [
    r["name"]
    for r in load_package(DATA)["resources"]
    if r.get("format") == "csv" and (RESTRICTED or not r["path"].startswith(RESTRICTED_PREFIX))
]


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


# --- The edition boundary (prp.runtime.boundary), checked before any job runs.


def number_namespaces():
    """Namespace -> True if only restricted editions may cite it: the
    namespaces of build/numbers/<ns>.yml written by some rule (restricted
    rules live in rules/restricted.smk)."""
    out = {}
    for r in workflow.rules:
        restricted = Path(r.snakefile).name == "restricted.smk"
        for f in r.output:
            m = re.fullmatch(rf"{BUILD}/numbers/(.+)\.yml", str(f))
            if not m:
                continue
            names = SPEC_NAMESPACES if m.group(1).startswith("{namespace") else [m.group(1)]
            for ns in names:
                out[ns] = restricted
    return out


def boundary_catalog():
    namespaces = number_namespaces()
    return boundary.Catalog(
        public_ids=set(PUBLIC_ARTIFACTS["tables"]) | set(PUBLIC_ARTIFACTS["figures"]),
        restricted_ids=set(RESTRICTED_ARTIFACTS["tables"]) | set(RESTRICTED_ARTIFACTS["figures"]),
        public_namespaces={ns for ns, r in namespaces.items() if not r},
        restricted_namespaces={ns for ns, r in namespaces.items() if r},
        restricted_paths=RESTRICTED_PATHS,
        restricted_known=RESTRICTED,
    )


def check_chapters():
    """Refuse chapters that cite an unknown namespace, and public chapters
    that reference anything restricted (chapter, line and name)."""
    catalog = boundary_catalog()
    problems = []
    for edition in EDITIONS:
        refs = boundary.references(REPORT, profile_of(edition), overlay_of(edition))
        problems += boundary.chapter_problems(
            refs, catalog, config["editions"][edition]["restricted"], edition
        )
    if problems:
        raise WorkflowError("the edition boundary is crossed:\n" + "\n".join(sorted(set(problems))))


def check_public_graph():
    """Refuse a job graph in which a public edition's outputs depend on a job
    that reads restricted material (run by onstart, before any job)."""
    dag = workflow.dag
    jobs = list(dag.jobs)
    index = {job: i for i, job in enumerate(jobs)}
    views = [
        boundary.JobView(
            name=job.rule.name,
            inputs=tuple(os.path.normpath(str(f)) for f in job.input),
            outputs=tuple(os.path.normpath(str(f)) for f in job.output),
            depends=tuple(index[d] for d in dag.dependencies[job] if d in index),
        )
        for job in jobs
    ]
    public = [e for e in ALL_EDITIONS if not config["editions"][e]["restricted"]]
    problems = boundary.graph_problems(
        views, edition_outputs(public), RESTRICTED_PATHS + restricted_data(), restricted_outputs()
    )
    if problems:
        raise WorkflowError(
            "a public edition would be built from restricted material; nothing was run:\n"
            + "\n".join(problems)
        )


def restricted_data():
    """Files derived from restricted data sources: their validated tables and
    validation records, and the release step's own folder."""
    names = [
        r["name"]
        for r in load_package(DATA)["resources"]
        if r["path"].startswith(RESTRICTED_PREFIX)
    ]
    return [clean(n) for n in names] + [prov(f"clean/{n}") for n in names] + [f"{BUILD}/released"]


# What restricted rules make (their output templates): recorded by every build
# that holds the restricted sources, so that a public build (for which those
# rules do not exist) still recognizes their outputs left in build/.
RESTRICTED_OUTPUTS = f"{BUILD}/.restricted-outputs.json"


def record_restricted_outputs():
    templates = sorted(
        {
            str(f)
            for r in workflow.rules
            if Path(r.snakefile).name == "restricted.smk"
            for f in r.output
        }
    )
    crypt.write_if_changed(
        Path(RESTRICTED_OUTPUTS), (json.dumps(templates, indent=1) + "\n").encode()
    )


def restricted_outputs():
    try:
        templates = json.loads(Path(RESTRICTED_OUTPUTS).read_text(encoding="utf-8"))
    except FileNotFoundError:
        templates = []
    return boundary.template_regex(templates)


def restricted_edition_outputs(wildcards=None):
    """Outputs of the restricted editions; without the restricted sources, a
    clear error instead of a missing rule."""
    editions = [e for e in ALL_EDITIONS if config["editions"][e]["restricted"]]
    if not RESTRICTED:
        raise WorkflowError(crypt.NEEDS_KEY + " (run it through `make restricted`)")
    return edition_outputs(editions)
