"""Machine-readable provenance of one edition: build/<edition>/provenance.json
(every job upstream of the edition, traced back to the data files) and
build/<edition>/ro-crate-metadata.json (an RO-Crate following the Workflow Run
Crate profile: the workflow, its inputs, the edition's files, and this run).

Tracing stops at files under data/: the public edition's trail therefore ends
at the released aggregates and never names a restricted input."""

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prp.data.io import write_text
from prp.runtime.provenance import data_inputs, is_data_file, load_records, trace

WRC = "https://w3id.org/ro/wfrun/workflow/0.5"
PRC = "https://w3id.org/ro/wfrun/process/0.5"
WROC = "https://w3id.org/workflowhub/workflow-ro-crate/1.0"


def artifacts(names: list[str], records: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per table, figure and number file: the job that made it and
    the data files (with sources) it ultimately rests on."""
    out = []
    for name in names:
        rec = records[name]
        for o in rec["outputs"]:
            if o["path"].startswith(("build/tables/", "build/figures/", "build/numbers/")):
                out.append(
                    {
                        "artifact": o["path"],
                        "sha256": o["sha256"],
                        "made_by": name,
                        "script": rec["script"]["path"],
                        "params": rec["params"],
                        "data": data_inputs(name, records),
                    }
                )
    return out


def edition_provenance(
    edition: str, start: str, records: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    names = trace(start, records)
    return {
        "edition": edition,
        "edition_record": start,
        "artifacts": artifacts(names, records),
        "jobs": {n: records[n] for n in names},
    }


def ro_crate(prov: dict[str, Any], crate_dir: Path) -> dict[str, Any]:
    """The RO-Crate metadata as JSON-LD (built with the rocrate library)."""
    from rocrate.model.contextentity import ContextEntity
    from rocrate.rocrate import ROCrate

    crate = ROCrate(gen_preview=False)
    crate.root_dataset["name"] = f"PRP 198 report, {prov['edition']} edition"
    # the build's fixed time stamp, not the wall clock: identical builds, identical crates
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    crate.root_dataset["datePublished"] = datetime.fromtimestamp(epoch, tz=UTC).isoformat()
    crate.root_dataset["conformsTo"] = [{"@id": WRC}, {"@id": PRC}, {"@id": WROC}]
    edition_rec = prov["jobs"][prov["edition_record"]]
    repo = Path(*[".."] * len(crate_dir.parts))
    wf = crate.add_workflow(
        source=None,
        dest_path="Snakefile",
        main=True,
        lang="snakemake",
        properties={"name": "PRP 198 report pipeline (Snakemake)", "url": str(repo / "Snakefile")},
    )
    inputs, seen = [], set()
    for job in prov["jobs"].values():
        for inp in job["inputs"]:
            src = inp.get("source") or {}
            if not is_data_file(inp) or inp["path"] in seen:
                continue
            seen.add(inp["path"])
            entity = crate.add(
                ContextEntity(
                    crate,
                    f"#input:{inp['path']}",
                    properties={
                        "@type": "File",
                        "name": inp["path"],
                        "contentUrl": str(repo / inp["path"]),
                        "sha256": inp["sha256"],
                        "description": described(src),
                        "citation": src.get("citation", ""),
                        "license": src.get("license", ""),
                        "isSynthetic": src.get("synthetic", False),
                    },
                )
            )
            inputs.append(entity)
    results = []
    for out in edition_rec["outputs"]:
        rel = Path(out["path"]).relative_to(crate_dir).as_posix()
        results.append(
            crate.add_file(
                source=None, dest_path=rel, properties={"sha256": out["sha256"], "name": rel}
            )
        )
    crate.add_action(
        wf,
        identifier="#run",
        object=inputs,
        result=results,
        properties={
            "name": f"Build of the {prov['edition']} edition",
            "description": "inputs and code as listed, each with its sha256",
            "actionStatus": "http://schema.org/CompletedActionStatus",
        },
    )
    return crate.metadata.generate()


def described(src: dict[str, Any]) -> str:
    """An input's description in the RO-Crate: synthetic data say so first."""
    title = str(src.get("title", ""))
    return f"Synthetic stand-in data: {title}" if src.get("synthetic") else title


def main(inputs: dict[str, Any], outputs: dict[str, Any], params: dict[str, Any]) -> None:
    folder = Path(inputs["record"]).parents[1]  # build/provenance/editions/<e>.json
    records = load_records(folder)
    start = Path(inputs["record"]).relative_to(folder).with_suffix("").as_posix()
    prov = edition_provenance(params["edition"], start, records)
    write_text(
        outputs["json"], json.dumps(prov, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    )
    crate = ro_crate(prov, Path(outputs["crate"]).parent)
    write_text(
        outputs["crate"], json.dumps(crate, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    )


if __name__ == "__main__":
    from prp.runtime.smk import run

    run(main, snakemake)  # noqa: F821
