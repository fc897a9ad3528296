"""``make verify``: re-hash every provenance record's inputs, code and outputs.

Per record (one per job of the last build):

* ``OK``       everything hashes as recorded;
* ``STALE``    an input, the script or a shared module changed since the
               outputs were made (named), or an upstream record is stale;
* ``MODIFIED`` an output no longer has the hash it was written with (edited
               or corrupted after the build);
* ``MISSING``  an output or an input is gone;
* ``MISMATCH`` a data file no longer has the sha256 that
               ``data/datapackage.yaml`` records for it (edited without
               ``make rehash``): the build would refuse it.

Exit status 0 only when every record is OK.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prp.data.datapackage import sha256_file
from prp.runtime.provenance import load_records

ORDER = {"OK": 0, "STALE": 1, "MODIFIED": 2, "MISMATCH": 3, "MISSING": 4}


@dataclass
class Verdict:
    record: str
    status: str = "OK"
    reasons: list[str] = field(default_factory=list)

    def worsen(self, status: str, reason: str) -> None:
        if ORDER[status] > ORDER[self.status]:
            self.status = status
        self.reasons.append(reason)


def _hash(path: str) -> str | None:
    p = Path(path)
    return sha256_file(p) if p.is_file() else None


def declared_hashes(data_dir: str | Path = "data") -> dict[str, str]:
    """Data file path (relative to the repository) -> sha256 the data package records."""
    from prp.data.datapackage import declared_sha256, load_package

    try:
        resources = load_package(data_dir)["resources"]
    except FileNotFoundError:
        return {}
    out = {}
    for res in resources:
        digest = declared_sha256(res)
        if digest:
            out[(Path(data_dir) / res["path"]).as_posix()] = digest
    return out


def check_record(name: str, rec: dict[str, Any], declared: dict[str, str] | None = None) -> Verdict:
    v = Verdict(name)
    for inp in rec["inputs"]:
        want = (declared or {}).get(inp["path"])
        actual = _hash(inp["path"])
        if want and actual and actual != want:
            v.worsen(
                "MISMATCH",
                f"{inp['path']} does not match its sha256 in data/datapackage.yaml "
                "(run make rehash if the change is intended)",
            )
    for out in rec["outputs"]:
        actual = _hash(out["path"])
        if actual is None:
            v.worsen("MISSING", f"output {out['path']} is missing")
        elif actual != out["sha256"]:
            v.worsen("MODIFIED", f"output {out['path']} was altered after the build")
    for inp in rec["inputs"]:
        actual = _hash(inp["path"])
        if actual is None:
            v.worsen("MISSING", f"input {inp['path']} is missing")
        elif actual != inp["sha256"]:
            v.worsen("STALE", f"input {inp['path']} changed")
    for code in [rec["script"], *rec.get("modules", [])]:
        actual = _hash(code["path"])
        if actual != code["sha256"]:
            v.worsen("STALE", f"code {code['path']} changed")
    return v


def verify(records: dict[str, dict[str, Any]]) -> list[Verdict]:
    """Verdicts for every record, staleness propagated downstream."""
    declared = declared_hashes()
    verdicts = {name: check_record(name, rec, declared) for name, rec in records.items()}
    producer = {out["path"]: name for name, rec in records.items() for out in rec["outputs"]}
    changed = True
    while changed:
        changed = False
        for name, rec in records.items():
            for inp in rec["inputs"]:
                up = producer.get(inp["path"])
                if up and up != name and verdicts[up].status != "OK":
                    reason = f"upstream {up} is {verdicts[up].status.lower()} ({inp['path']})"
                    if reason not in verdicts[name].reasons:
                        verdicts[name].worsen("STALE", reason)
                        changed = True
    return [verdicts[n] for n in sorted(verdicts)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m prp.tools.verify", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--records", default="build/provenance", type=Path)
    args = ap.parse_args(argv)
    records = load_records(args.records)
    if not records:
        print(f"no provenance records in {args.records}: build first (make report)")
        return 2
    verdicts = verify(records)
    width = max(len(v.record) for v in verdicts)
    for v in verdicts:
        print(f"{v.status:<9} {v.record:<{width}}  {'; '.join(v.reasons)}".rstrip())
    bad = [v for v in verdicts if v.status != "OK"]
    print(f"\n{len(verdicts) - len(bad)} OK, {len(bad)} not OK")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
