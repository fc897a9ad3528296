"""Generate the synthetic CAMRD stand-in (restricted event table).

    PYTHONPATH=scripts python -m prp.data.generate_events            # the committed snapshot
    PYTHONPATH=scripts python -m prp.data.generate_events --seed 2018 --n 1000 \
        --out build/restricted-src/data/events.csv
    PYTHONPATH=scripts python -m prp.data.generate_events --n 10000000 --format parquet \
        --out /tmp/events.parquet

With no options it rewrites build/restricted-src/data/events.csv (the
decrypted restricted sources; `make seal` encrypts it) byte for byte (seed and
size come from config/synthetic_events.yaml). Large tables are written in
chunks, so memory stays bounded whatever --n is; the rows do not depend on
--chunk-size. The calibration and its sources are documented in the YAML file.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import yaml

from prp.data import synth

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_CONFIG = ROOT / "config" / "synthetic_events.yaml"
DEFAULT_OUT = ROOT / "build" / "restricted-src" / "data" / "events.csv"
log = logging.getLogger("generate_events")


def read_calibration(path: str | Path) -> synth.Calibration:
    with open(path, encoding="utf-8") as fh:
        return synth.calibration_from_dict(yaml.safe_load(fh))


def main(
    config: str | Path = DEFAULT_CONFIG,
    out: str | Path = DEFAULT_OUT,
    seed: int | None = None,
    n: int | None = None,
    fmt: str | None = None,
    chunk_size: int = 100_000,
) -> int:
    cal = read_calibration(config)
    out = Path(out)
    fmt = fmt or ("parquet" if out.suffix == ".parquet" else "csv")
    n = cal.n_events if n is None else n
    seed = cal.seed if seed is None else seed
    began = time.perf_counter()
    rows = synth.write_events(
        out, synth.iter_event_tables(cal, n, seed, chunk_size=chunk_size), fmt
    )
    log.info(
        "wrote %d synthetic events (%d with kidnapping; seed %d) to %s as %s in %.1f s",
        rows,
        synth.kidnapping_target(cal, n),
        seed,
        out,
        fmt,
        time.perf_counter() - began,
    )
    return rows


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--config", default=str(DEFAULT_CONFIG), help="calibration YAML (default: %(default)s)"
    )
    p.add_argument(
        "--seed", type=int, default=None, help="random seed (default: the snapshot's, 2018)"
    )
    p.add_argument(
        "--n", type=int, default=None, help="number of events (default: the snapshot's, 1000)"
    )
    p.add_argument("--out", default=str(DEFAULT_OUT), help="output file (default: %(default)s)")
    p.add_argument(
        "--format",
        dest="fmt",
        choices=["csv", "parquet"],
        default=None,
        help="output format (default: parquet for a .parquet path, else csv)",
    )
    p.add_argument(
        "--chunk-size",
        type=int,
        default=100_000,
        help="rows written at a time; does not change the rows (default: %(default)s)",
    )
    return p.parse_args(argv)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)
    a = parse_args()
    main(a.config, a.out, a.seed, a.n, a.fmt, a.chunk_size)
