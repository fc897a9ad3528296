"""Seeded generator of a SYNTHETIC stand-in for the CAMRD event table.

The Central American Migrant Risk Database behind Figures 3.1-3.7 of the 2018
report was never published. This module draws a table with the same kind of
records (one row per news-reported crime against migrants) whose aggregate
patterns follow what Part 3 of the 2018 text says about the real database.
All calibration is data: ``config/synthetic_events.yaml`` is parsed by
:func:`calibration_from_dict`; no calibration number lives in this code.

Design
------
* Rows are generated in fixed blocks of ``generator.block_size`` rows. Block
  ``b`` draws from its own stream, ``SeedSequence(seed, spawn_key=(0, b))``;
  the split of kidnapping events over blocks is drawn from
  ``SeedSequence(seed, spawn_key=(1,))``. So the table depends on
  ``(calibration, seed, n)`` only, never on how it is chunked for writing, and
  memory is bounded by one block plus one chunk.
* States, and perpetrators within each state, are allocated by systematic
  (quota) sampling: a category with weight ``w`` gets ``floor`` or ``ceil`` of
  ``w x rows`` rows of each block. The calibrated rankings therefore hold for
  any seed; which rows get which value is random.
* Exactly :func:`kidnapping_target` events list ``kidnapping``: a constraint
  of the draw (weighted sampling without replacement), not an edit afterwards.
* Event dates are a stratified draw over the date range, non-decreasing in
  ``event_id``.

Everything is pure except :func:`write_events`, the streaming writer.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

COLUMNS: tuple[str, ...] = (
    "event_id",
    "event_date",
    "state",
    "municipality",
    "latitude",
    "longitude",
    "location_type",
    "crime_types",
    "perpetrator_type",
    "victims",
    "victim_nationality",
    "outlet",
    "article_url",
    "published_date",
)

ARROW_SCHEMA = pa.schema(
    [
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("event_date", pa.date32(), nullable=False),
        pa.field("state", pa.string(), nullable=False),
        pa.field("municipality", pa.string(), nullable=False),
        pa.field("latitude", pa.float64(), nullable=False),
        pa.field("longitude", pa.float64(), nullable=False),
        pa.field("location_type", pa.string(), nullable=False),
        pa.field("crime_types", pa.string(), nullable=False),
        pa.field("perpetrator_type", pa.string(), nullable=False),
        pa.field("victims", pa.int64(), nullable=False),
        pa.field("victim_nationality", pa.string(), nullable=False),
        pa.field("outlet", pa.string(), nullable=False),
        pa.field("article_url", pa.string(), nullable=False),
        pa.field("published_date", pa.date32(), nullable=False),
    ]
)

CRIME_SEPARATOR = ";"
_UNSAFE = re.compile(r'[,"\r\n]')
SYNTHETIC_LABEL_PREFIX = "synthetic-"
"""Every source label starts with this: the records and their sources are invented."""
KIDNAPPING = "kidnapping"
TRAIN = "train_or_tracks"
KM_PER_DEGREE = 111.32
_BLOCK_STREAM = 0
_ALLOCATION_STREAM = 1


class CalibrationError(ValueError):
    """The calibration mapping is inconsistent or incomplete."""


@dataclass(frozen=True, eq=False)
class Calibration:
    """The parsed calibration, as arrays indexed by category position."""

    seed: int
    n_events: int
    block_size: int
    id_prefix: str
    id_min_digits: int
    url_base: str
    decimals: int
    start_date: dt.date
    n_days: int
    lag_cum: np.ndarray  # (lags,)
    states: tuple[str, ...]
    state_probs: np.ndarray  # (S,)
    us_border: tuple[str, ...]
    location_types: tuple[str, ...]
    location_cum: np.ndarray  # (S, L)
    perpetrators: tuple[str, ...]
    perpetrator_probs: np.ndarray  # (S, P)
    crime_types: tuple[str, ...]
    primary_cum: np.ndarray  # (P, C)
    second_probability: np.ndarray  # (P,)
    second_cum: np.ndarray  # (C, C): row = primary crime
    kidnap_second_probability: float
    kidnap_events: int
    kidnap_reference_n: int
    kidnap_perpetrator_weight: np.ndarray  # (P,)
    kidnap_state_weight: np.ndarray  # (S,)
    victims_r: np.ndarray  # (P,)
    victims_p: np.ndarray  # (P,)
    kidnap_victims_r: float
    kidnap_victims_p: float
    victims_max: int
    nationalities: tuple[str, ...]
    nationality_cum: np.ndarray  # (N,)
    municipalities: tuple[str, ...]  # (M,)
    municipality_state: np.ndarray  # (M,) state index
    municipality_lat: np.ndarray  # centre of the events: anchor or seat
    municipality_lon: np.ndarray
    municipality_jitter_km: np.ndarray
    municipality_cum_all: np.ndarray  # (S, M)
    municipality_cum_rail: np.ndarray  # (S, M)
    state_bbox: np.ndarray  # (S, 4): lat_min, lat_max, lon_min, lon_max
    mexico_bbox: tuple[float, float, float, float]
    sources: tuple[str, ...]  # (O,) fictitious source labels
    source_national_cum: np.ndarray  # (O,)
    source_local_cum: np.ndarray  # (S, O)
    source_has_local: np.ndarray  # (S,) bool
    source_local_share: float
    combo_strings: tuple[str, ...]  # (C * (C + 1),) crime_types text by (primary, second|none)

    @property
    def kidnapping_index(self) -> int:
        return self.crime_types.index(KIDNAPPING)


# --------------------------------------------------------------------------
# Parsing the calibration
# --------------------------------------------------------------------------


def _weights(values: Sequence[float], what: str, length: int | None = None) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or (length is not None and arr.size != length):
        raise CalibrationError(f"{what}: expected {length} weights, got {list(values)!r}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or arr.sum() <= 0:
        raise CalibrationError(
            f"{what}: weights must be finite, >= 0 and not all 0: {list(values)!r}"
        )
    return arr / arr.sum()


def _cum(probs: np.ndarray) -> np.ndarray:
    """Cumulative probabilities along the last axis, the last exactly 1."""
    cum = np.cumsum(probs, axis=-1)
    cum[..., -1] = 1.0
    return cum


def _date(value: Any, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise CalibrationError(f"{what}: not an ISO date: {value!r}") from exc


def _check_names(names: Iterable[str], allowed: Sequence[str], what: str) -> None:
    unknown = sorted(set(names) - set(allowed))
    if unknown:
        raise CalibrationError(f"{what}: unknown names {unknown}")


def _profile_matrix(
    section: Mapping[str, Any], states: Sequence[str], n_categories: int, what: str
) -> np.ndarray:
    profiles = {
        name: _weights(w, f"{what}.profiles.{name}", n_categories)
        for name, w in section["profiles"].items()
    }
    if "default" not in profiles:
        raise CalibrationError(f"{what}.profiles needs a 'default' profile")
    state_profile = dict(section.get("state_profile") or {})
    _check_names(state_profile, states, f"{what}.state_profile")
    missing = sorted(set(state_profile.values()) - set(profiles))
    if missing:
        raise CalibrationError(f"{what}.state_profile names undefined profiles {missing}")
    return np.stack([profiles[state_profile.get(s, "default")] for s in states])


def _crime_combos(crimes: Sequence[str]) -> tuple[str, ...]:
    """Text of every (primary, second-or-none) pair, sorted and joined."""
    out = []
    for first in crimes:
        for second in [*crimes, None]:
            kinds = {first} if second is None else {first, second}
            out.append(CRIME_SEPARATOR.join(sorted(kinds)))
    return tuple(out)


def calibration_from_dict(cfg: Mapping[str, Any]) -> Calibration:
    """Parse and check the calibration mapping (the YAML file, loaded)."""
    try:
        return _calibration_from_dict(cfg)
    except KeyError as exc:
        raise CalibrationError(f"calibration lacks the key {exc}") from exc


def _states(cfg: Mapping[str, Any]) -> dict[str, Any]:
    state_w = cfg["states"]["weights"]
    states = tuple(state_w)
    us_border = tuple(cfg["states"]["us_border"])
    _check_names(us_border, states, "states.us_border")
    return {
        "states": states,
        "state_probs": _weights(list(state_w.values()), "states.weights"),
        "us_border": us_border,
    }


def _dates(cfg: Mapping[str, Any]) -> dict[str, Any]:
    start = _date(cfg["dates"]["start"], "dates.start")
    end = _date(cfg["dates"]["end"], "dates.end")
    if end < start:
        raise CalibrationError("dates.end is before dates.start")
    lags = _weights(cfg["dates"]["publication_lag_weights"], "dates.publication_lag_weights")
    return {"start_date": start, "n_days": (end - start).days + 1, "lag_cum": _cum(lags)}


def _municipalities(cfg: Mapping[str, Any], states: tuple[str, ...], probs: Any) -> dict[str, Any]:
    """Municipality anchors, their sampling weights per state (all, and
    those on the railway), checked against the states' bounding boxes."""
    mun_cfg = cfg["municipalities"]
    default_jitter = float(mun_cfg["default_jitter_km"])
    _check_names(mun_cfg["by_state"], states, "municipalities.by_state")
    s_index = {s: i for i, s in enumerate(states)}
    names: list[str] = []
    m_state, m_lat, m_lon, m_jit, m_rail, m_w = [], [], [], [], [], []
    for state, rows in mun_cfg["by_state"].items():
        for row in rows:
            names.append(str(row["municipality"]))
            m_state.append(s_index[state])
            # events are centred on the anchor where one is given, else on the seat
            centre = row.get("anchor") or (row["lat"], row["lon"])
            if len(centre) != 2:
                raise CalibrationError(
                    f"municipality {row['municipality']}: anchor must be [lat, lon]"
                )
            m_lat.append(float(centre[0]))
            m_lon.append(float(centre[1]))
            m_jit.append(float(row.get("jitter_km", default_jitter)))
            m_rail.append(bool(row["rail"]))
            m_w.append(float(row["weight"]))
    m_state_a = np.asarray(m_state, dtype=np.int64)
    m_w_a = np.asarray(m_w)
    if np.any(m_w_a <= 0) or np.any(np.asarray(m_jit) < 0):
        raise CalibrationError("municipalities: weights must be > 0 and jitter_km >= 0")
    n_s, n_m = len(states), len(names)
    all_w = np.zeros((n_s, n_m))
    all_w[m_state_a, np.arange(n_m)] = m_w_a
    rail_w = all_w * np.asarray(m_rail)
    has_mun = all_w.sum(axis=1) > 0
    lacking = [s for s, p, ok in zip(states, probs, has_mun, strict=True) if p > 0 and not ok]
    if lacking:
        raise CalibrationError(f"states with events but no municipality: {lacking}")

    def row_probs(w: np.ndarray, ok: np.ndarray) -> np.ndarray:
        # rows without any weight get a uniform row; they are never used
        return np.where(ok[:, None], w, 1.0) / np.where(ok, w.sum(axis=1), n_m)[:, None]

    has_rail = rail_w.sum(axis=1) > 0
    out = {
        "municipalities": tuple(names),
        "municipality_state": m_state_a,
        "municipality_lat": np.asarray(m_lat),
        "municipality_lon": np.asarray(m_lon),
        "municipality_jitter_km": np.asarray(m_jit),
        "municipality_cum_all": _cum(row_probs(all_w, has_mun)),
        "municipality_cum_rail": _cum(row_probs(rail_w, has_rail)),
    }
    out.update(_bounding_boxes(cfg, states, out))
    return {**out, "_has_rail": has_rail}


def _bounding_boxes(
    cfg: Mapping[str, Any], states: tuple[str, ...], mun: Mapping[str, Any]
) -> dict[str, Any]:
    bb_cfg = cfg["bounding_boxes"]
    mexico_bbox = tuple(float(v) for v in bb_cfg["mexico"])
    _check_names(bb_cfg["by_state"], states, "bounding_boxes.by_state")
    bbox = np.tile(np.asarray(mexico_bbox), (len(states), 1))
    s_index = {s: i for i, s in enumerate(states)}
    for state, box in bb_cfg["by_state"].items():
        bbox[s_index[state]] = [float(v) for v in box]
    mlat, mlon, m_state = (
        mun["municipality_lat"],
        mun["municipality_lon"],
        mun["municipality_state"],
    )
    b = bbox[m_state]
    outside = ~((b[:, 0] <= mlat) & (mlat <= b[:, 1]) & (b[:, 2] <= mlon) & (mlon <= b[:, 3]))
    if outside.any():
        names = mun["municipalities"]
        bad = [f"{names[i]} ({states[m_state[i]]})" for i in np.flatnonzero(outside)]
        raise CalibrationError(f"municipality centers outside their state's bounding box: {bad}")
    return {"state_bbox": bbox, "mexico_bbox": mexico_bbox}


def _locations_and_perpetrators(
    cfg: Mapping[str, Any], states: tuple[str, ...], has_rail: np.ndarray
) -> dict[str, Any]:
    loc_cfg = cfg["location_types"]
    locations = tuple(loc_cfg["categories"])
    if TRAIN not in locations:
        raise CalibrationError(f"location_types.categories must include {TRAIN!r}")
    loc_probs = _profile_matrix(loc_cfg, states, len(locations), "location_types")
    loc_probs[~has_rail, locations.index(TRAIN)] = 0.0
    loc_probs = loc_probs / loc_probs.sum(axis=1, keepdims=True)
    per_cfg = cfg["perpetrators"]
    perps = tuple(per_cfg["categories"])
    return {
        "location_types": locations,
        "location_cum": _cum(loc_probs),
        "perpetrators": perps,
        "perpetrator_probs": _profile_matrix(per_cfg, states, len(perps), "perpetrators"),
    }


def _crimes(cfg: Mapping[str, Any], perps: tuple[str, ...]) -> dict[str, Any]:
    """First-crime weights per perpetrator and second-crime weights per
    first crime (kidnapping has its own)."""
    cr_cfg = cfg["crime_types"]
    crimes = tuple(cr_cfg["categories"])
    if KIDNAPPING not in crimes:
        raise CalibrationError(f"crime_types.categories must include {KIDNAPPING!r}")
    k_i = crimes.index(KIDNAPPING)
    n_c = len(crimes)
    _check_names(cr_cfg["primary_weights"], perps, "crime_types.primary_weights")
    primary = np.stack(
        [
            _weights(cr_cfg["primary_weights"][p], f"crime_types.primary_weights.{p}", n_c)
            for p in perps
        ]
    )
    if np.any(primary[:, k_i] > 0):
        raise CalibrationError("crime_types.primary_weights must give kidnapping weight 0")
    second_p = np.asarray([float(cr_cfg["second_crime_probability"][p]) for p in perps])
    base_second = _weights(cr_cfg["second_crime_weights"], "crime_types.second_crime_weights", n_c)
    kid = cfg["kidnapping"]
    kid_second = _weights(kid["second_crime_weights"], "kidnapping.second_crime_weights", n_c)
    second = np.tile(base_second, (n_c, 1))
    second[k_i] = kid_second
    second[:, k_i] = 0.0
    second[np.arange(n_c), np.arange(n_c)] = 0.0
    if np.any(second.sum(axis=1) <= 0):
        raise CalibrationError("second-crime weights leave no possible second crime for some crime")
    second = second / second.sum(axis=1, keepdims=True)
    probs = [*second_p, float(kid["second_crime_probability"])]
    if any(not 0 <= q <= 1 for q in probs):
        raise CalibrationError("second-crime probabilities must lie in [0, 1]")
    if any(CRIME_SEPARATOR in c for c in crimes):
        raise CalibrationError(f"crime type names may not contain {CRIME_SEPARATOR!r}")
    return {
        "crime_types": crimes,
        "primary_cum": _cum(primary),
        "second_probability": second_p,
        "second_cum": _cum(second),
        "kidnap_second_probability": float(kid["second_crime_probability"]),
        "combo_strings": _crime_combos(crimes),
    }


def _kidnapping(
    cfg: Mapping[str, Any], states: tuple[str, ...], perps: tuple[str, ...]
) -> dict[str, Any]:
    """How many events are kidnappings, and who and where kidnaps."""
    kid = cfg["kidnapping"]
    _check_names(kid["perpetrator_weight"], perps, "kidnapping.perpetrator_weight")
    k_perp = np.asarray([float(kid["perpetrator_weight"][p]) for p in perps])
    sw = dict(kid["state_weight"])
    k_default = float(sw.pop("default", 1.0))
    _check_names(sw, states, "kidnapping.state_weight")
    k_state = np.asarray([float(sw.get(s, k_default)) for s in states])
    if np.any(k_perp <= 0) or np.any(k_state <= 0):
        raise CalibrationError("kidnapping weights must be > 0")
    k_events, k_ref = int(kid["events_at_reference_n"]), int(kid["reference_n"])
    if k_ref <= 0 or not 0 <= k_events <= k_ref:
        raise CalibrationError("kidnapping: need 0 <= events_at_reference_n <= reference_n")
    return {
        "kidnap_events": k_events,
        "kidnap_reference_n": k_ref,
        "kidnap_perpetrator_weight": k_perp,
        "kidnap_state_weight": k_state,
    }


def _victims_and_nationality(cfg: Mapping[str, Any], perps: tuple[str, ...]) -> dict[str, Any]:
    vic = cfg["victims"]
    by_perp = dict(vic.get("by_perpetrator") or {})
    _check_names(by_perp, perps, "victims.by_perpetrator")
    v_r = np.asarray([float(by_perp.get(p, vic["default"])["r"]) for p in perps])
    v_p = np.asarray([float(by_perp.get(p, vic["default"])["p"]) for p in perps])
    kv_r, kv_p = float(vic["kidnapping"]["r"]), float(vic["kidnapping"]["p"])
    if np.any(v_r <= 0) or np.any((v_p <= 0) | (v_p > 1)) or kv_r <= 0 or not 0 < kv_p <= 1:
        raise CalibrationError("victims: need r > 0 and 0 < p <= 1")
    nat = cfg["nationality"]
    nationalities = tuple(nat["categories"])
    return {
        "victims_r": v_r,
        "victims_p": v_p,
        "kidnap_victims_r": kv_r,
        "kidnap_victims_p": kv_p,
        "victims_max": int(vic["max"]),
        "nationalities": nationalities,
        "nationality_cum": _cum(
            _weights(nat["weights"], "nationality.weights", len(nationalities))
        ),
    }


def source_label(prefix: str, digits: int, number: int) -> str:
    """'synthetic-source-', 3, 17 -> 'synthetic-source-017'."""
    return f"{prefix}{number:0{digits}d}"


def _sources(cfg: Mapping[str, Any], states: tuple[str, ...]) -> dict[str, Any]:
    """Fictitious source labels: national ones with weights, then each
    state's local ones (equal weights), numbered in that order."""
    src = cfg["sources"]
    prefix, digits = str(src["label_prefix"]), int(src["label_digits"])
    if not prefix.startswith(SYNTHETIC_LABEL_PREFIX):
        raise CalibrationError(
            f"sources.label_prefix must start with {SYNTHETIC_LABEL_PREFIX!r}: the records "
            f"are invented, so their sources are named as such (found {prefix!r})"
        )
    nat_w = _weights([float(w) for w in src["national_weights"]], "sources.national_weights")
    per_state = {s: int(n) for s, n in (src.get("local_per_state") or {}).items()}
    _check_names(per_state, states, "sources.local_per_state")
    if any(n < 0 for n in per_state.values()):
        raise CalibrationError("sources.local_per_state: counts must be >= 0")
    n_o = len(nat_w) + sum(per_state.values())
    if n_o >= 10**digits:
        raise CalibrationError(f"sources.label_digits: {n_o} labels need more than {digits} digits")
    labels = tuple(source_label(prefix, digits, i + 1) for i in range(n_o))
    national = np.zeros(n_o)
    national[: len(nat_w)] = nat_w
    local = np.zeros((len(states), n_o))
    s_index = {s: i for i, s in enumerate(states)}
    first = len(nat_w)
    for s, n in per_state.items():
        local[s_index[s], first : first + n] = 1.0 / n if n else 0.0
        first += n
    has_local = local.sum(axis=1) > 0
    local[~has_local] = 1.0 / n_o
    local_share = float(src["local_share"])
    if not 0 <= local_share <= 1:
        raise CalibrationError("sources.local_share must lie in [0, 1]")
    return {
        "sources": labels,
        "source_national_cum": _cum(national),
        "source_local_cum": _cum(local),
        "source_has_local": has_local,
        "source_local_share": local_share,
    }


def _reserved_url_base(url: str) -> str:
    """The base of the synthetic article addresses, which must lie on a
    reserved ``.invalid`` domain (RFC 2606) so that it can never resolve."""
    m = re.fullmatch(r"https?://([a-z0-9.-]+)(/.*)?", url.strip())
    if not m or not (m.group(1) == "invalid" or m.group(1).endswith(".invalid")):
        raise CalibrationError(
            f"generator.url_base must be an address on a .invalid domain, not {url!r}"
        )
    return url.strip().rstrip("/") + "/"


def _generator(cfg: Mapping[str, Any]) -> dict[str, Any]:
    gen, snap = cfg["generator"], cfg["snapshot"]
    block_size = int(gen["block_size"])
    if block_size <= 0:
        raise CalibrationError("generator.block_size must be positive")
    return {
        "seed": int(snap["seed"]),
        "n_events": int(snap["n_events"]),
        "block_size": block_size,
        "id_prefix": str(gen["id_prefix"]),
        "id_min_digits": int(gen["id_min_digits"]),
        "url_base": _reserved_url_base(str(gen["url_base"])),
        "decimals": int(gen["coordinate_decimals"]),
    }


def _calibration_from_dict(cfg: Mapping[str, Any]) -> Calibration:
    """The calibration, section by section of config/synthetic_events.yaml."""
    fields: dict[str, Any] = {**_generator(cfg), **_states(cfg), **_dates(cfg)}
    states = fields["states"]
    fields.update(_municipalities(cfg, states, fields["state_probs"]))
    fields.update(_locations_and_perpetrators(cfg, states, fields.pop("_has_rail")))
    perps = fields["perpetrators"]
    fields.update(_crimes(cfg, perps))
    fields.update(_kidnapping(cfg, states, perps))
    fields.update(_victims_and_nationality(cfg, perps))
    fields.update(_sources(cfg, states))
    texts = [
        *states,
        *fields["municipalities"],
        *fields["location_types"],
        *perps,
        *fields["crime_types"],
        *fields["nationalities"],
        *fields["sources"],
        str(cfg["generator"]["id_prefix"]),
        str(cfg["generator"]["url_base"]),
    ]
    unsafe = sorted({t for t in texts if _UNSAFE.search(t)})
    if unsafe:
        raise CalibrationError(f"values may not contain commas, quotes or line breaks: {unsafe}")
    return Calibration(**fields)


# --------------------------------------------------------------------------
# Sampling helpers
# --------------------------------------------------------------------------


def kidnapping_target(cal: Calibration, n: int) -> int:
    """Number of kidnapping events in a table of ``n`` events.

    ``events_at_reference_n`` at the reference size (79 of 1,000), the same
    share rounded half up at other sizes.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    return min(n, math.floor(cal.kidnap_events * n / cal.kidnap_reference_n + 0.5))


def block_bounds(n: int, block_size: int) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` of the fixed generation blocks of ``n`` rows."""
    return [(s, min(n, s + block_size)) for s in range(0, n, block_size)]


def allocate_kidnappings(cal: Calibration, n: int, seed: int) -> np.ndarray:
    """Kidnapping events per block (sums to :func:`kidnapping_target`)."""
    sizes = np.asarray([b - a for a, b in block_bounds(n, cal.block_size)], dtype=np.int64)
    target = kidnapping_target(cal, n)
    if sizes.size <= 1:
        return np.asarray([target] * sizes.size, dtype=np.int64)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_ALLOCATION_STREAM,)))
    return rng.multivariate_hypergeometric(sizes, target).astype(np.int64)


def systematic_sample(probs: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` category indices by systematic sampling, in random order.

    Category ``k`` appears ``floor`` or ``ceil`` of ``probs[k] * count`` times.
    """
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    cum = _cum(np.asarray(probs, dtype=float) / np.sum(probs))
    positions = (rng.random() + np.arange(count)) / count
    idx = np.searchsorted(cum, positions, side="right").astype(np.int64)
    return rng.permutation(idx)


def _inverse_cdf(cum_rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Category per row: ``cum_rows`` is (rows, K) or (K,), ``u`` in [0, 1)."""
    if cum_rows.ndim == 1:
        return np.searchsorted(cum_rows, u, side="right").astype(np.int64)
    return (cum_rows <= u[:, None]).sum(axis=1).astype(np.int64)


# --------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------


def id_width(cal: Calibration, n: int) -> int:
    return max(cal.id_min_digits, len(str(max(n, 1))))


def generate_block(
    cal: Calibration,
    *,
    n: int,
    seed: int,
    block_index: int,
    kidnappings: int,
    memory_pool: pa.MemoryPool | None = None,
) -> pa.RecordBatch:
    """Rows ``[block_index * block_size, ...)`` of the ``n``-row table."""
    start, stop = block_bounds(n, cal.block_size)[block_index]
    size = stop - start
    if not 0 <= kidnappings <= size:
        raise ValueError(f"cannot place {kidnappings} kidnappings in a block of {size} rows")
    rng = np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(_BLOCK_STREAM, block_index))
    )

    # 1. state (quota), 2. perpetrator within state (quota)
    state = systematic_sample(cal.state_probs, size, rng)
    perp = np.zeros(size, dtype=np.int64)
    for s in np.unique(state):
        rows = np.flatnonzero(state == s)
        perp[rows] = systematic_sample(cal.perpetrator_probs[s], rows.size, rng)

    # 3. which events are kidnappings: exactly `kidnappings`, tilted to TCOs/Tamaulipas
    kidnap = np.zeros(size, dtype=bool)
    if kidnappings:
        w = cal.kidnap_perpetrator_weight[perp] * cal.kidnap_state_weight[state]
        kidnap[rng.choice(size, size=kidnappings, replace=False, p=w / w.sum())] = True

    # 4. location type given state; 5. municipality given state (rail towns for trains)
    loc = _inverse_cdf(cal.location_cum[state], rng.random(size))
    on_train = loc == cal.location_types.index(TRAIN)
    u_mun = rng.random(size)
    mun = np.zeros(size, dtype=np.int64)
    for s in np.unique(state):
        for rail in (False, True):
            rows = np.flatnonzero((state == s) & (on_train == rail))
            cum = cal.municipality_cum_rail[s] if rail else cal.municipality_cum_all[s]
            mun[rows] = _inverse_cdf(cum, u_mun[rows])

    # 6. coordinates: uniform in a disc around the centre, kept in the state's box
    radius = cal.municipality_jitter_km[mun] * np.sqrt(rng.random(size))
    theta = 2.0 * np.pi * rng.random(size)
    centre_lat, centre_lon = cal.municipality_lat[mun], cal.municipality_lon[mun]
    raw_lat = centre_lat + radius * np.cos(theta) / KM_PER_DEGREE
    raw_lon = centre_lon + radius * np.sin(theta) / (KM_PER_DEGREE * np.cos(np.radians(centre_lat)))
    box = cal.state_bbox[state]
    inside = (
        (box[:, 0] <= raw_lat)
        & (raw_lat <= box[:, 1])
        & (box[:, 2] <= raw_lon)
        & (raw_lon <= box[:, 3])
    )
    lat = np.round(np.where(inside, raw_lat, centre_lat), cal.decimals)
    lon = np.round(np.where(inside, raw_lon, centre_lon), cal.decimals)

    # 7. crimes: primary (kidnapping where chosen), optional second crime
    k_i = cal.kidnapping_index
    primary = np.where(kidnap, k_i, _inverse_cdf(cal.primary_cum[perp], rng.random(size)))
    p_second = np.where(kidnap, cal.kidnap_second_probability, cal.second_probability[perp])
    has_second = rng.random(size) < p_second
    second = _inverse_cdf(cal.second_cum[primary], rng.random(size))
    n_c = len(cal.crime_types)
    combo = primary * (n_c + 1) + np.where(has_second, second, n_c)

    # 8. victims
    r = np.where(kidnap, cal.kidnap_victims_r, cal.victims_r[perp])
    p = np.where(kidnap, cal.kidnap_victims_p, cal.victims_p[perp])
    victims = np.minimum(1 + rng.negative_binomial(r, p), cal.victims_max).astype(np.int64)

    # 9. nationality
    nationality = _inverse_cdf(cal.nationality_cum, rng.random(size))

    # 10. source: a fictitious label, local to the state or national
    use_local = (rng.random(size) < cal.source_local_share) & cal.source_has_local[state]
    u_local = rng.random(size)
    outlet = _inverse_cdf(cal.source_national_cum, rng.random(size))
    for s in np.unique(state[use_local]):
        rows = np.flatnonzero(use_local & (state == s))
        outlet[rows] = _inverse_cdf(cal.source_local_cum[s], u_local[rows])

    # 11. dates: stratified over the range (non-decreasing in event_id), then the lag
    row = np.arange(start, stop, dtype=np.float64)
    day = np.minimum(np.floor((row + rng.random(size)) / n * cal.n_days), cal.n_days - 1)
    lag = _inverse_cdf(cal.lag_cum, rng.random(size))
    epoch = (cal.start_date - dt.date(1970, 1, 1)).days
    event_day = (epoch + day).astype(np.int32)
    published_day = (event_day + lag).astype(np.int32)

    return _assemble(
        cal,
        n,
        start,
        stop,
        memory_pool,
        state=state,
        perp=perp,
        loc=loc,
        mun=mun,
        lat=lat,
        lon=lon,
        combo=combo,
        victims=victims,
        nationality=nationality,
        outlet=outlet,
        event_day=event_day,
        published_day=published_day,
    )


def _take(names: Sequence[str], idx: np.ndarray, pool: pa.MemoryPool | None) -> pa.Array:
    dictionary = pa.array(list(names), type=pa.string(), memory_pool=pool)
    return pc.take(dictionary, pa.array(idx, type=pa.int64(), memory_pool=pool), memory_pool=pool)


def _assemble(
    cal: Calibration, n: int, start: int, stop: int, pool: pa.MemoryPool | None, **v: np.ndarray
) -> pa.RecordBatch:
    """Turn the per-row category indices and values of one block into Arrow."""
    numbers = pa.array(np.arange(start + 1, stop + 1, dtype=np.int64), memory_pool=pool)
    digits = pc.utf8_lpad(
        pc.cast(numbers, pa.string(), memory_pool=pool), id_width(cal, n), "0", memory_pool=pool
    )
    event_id = pc.binary_join_element_wise(cal.id_prefix, digits, "", memory_pool=pool)
    label = _take(cal.sources, v["outlet"], pool)
    url = pc.binary_join_element_wise(
        cal.url_base, label, "/", pc.utf8_lower(event_id, memory_pool=pool), "", memory_pool=pool
    )
    arrays = [
        event_id,
        pa.array(v["event_day"], type=pa.date32(), memory_pool=pool),
        _take(cal.states, v["state"], pool),
        _take(cal.municipalities, v["mun"], pool),
        pa.array(v["lat"], type=pa.float64(), memory_pool=pool),
        pa.array(v["lon"], type=pa.float64(), memory_pool=pool),
        _take(cal.location_types, v["loc"], pool),
        _take(cal.combo_strings, v["combo"], pool),
        _take(cal.perpetrators, v["perp"], pool),
        pa.array(v["victims"], type=pa.int64(), memory_pool=pool),
        _take(cal.nationalities, v["nationality"], pool),
        label,
        url,
        pa.array(v["published_day"], type=pa.date32(), memory_pool=pool),
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=ARROW_SCHEMA)


def iter_event_tables(
    cal: Calibration,
    n: int | None = None,
    seed: int | None = None,
    *,
    chunk_size: int = 100_000,
    memory_pool: pa.MemoryPool | None = None,
) -> Iterator[pa.Table]:
    """Yield the ``n``-event table as consecutive tables of ``chunk_size`` rows.

    Defaults (``None``) are the snapshot's seed and size. The concatenation
    of the chunks is the same whatever ``chunk_size`` is. Arrow buffers come
    from ``memory_pool`` (default pool if ``None``); a caller passing its own
    pool must keep it alive as long as any yielded table.
    """
    n = cal.n_events if n is None else int(n)
    seed = cal.seed if seed is None else int(seed)
    if n < 0 or chunk_size <= 0:
        raise ValueError("need n >= 0 and chunk_size > 0")
    per_block = allocate_kidnappings(cal, n, seed)
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    for b in range(per_block.size):
        batch = generate_block(
            cal,
            n=n,
            seed=seed,
            block_index=b,
            kidnappings=int(per_block[b]),
            memory_pool=memory_pool,
        )
        offset = 0
        while offset < batch.num_rows:
            take = min(chunk_size - pending_rows, batch.num_rows - offset)
            pending.append(batch.slice(offset, take))
            pending_rows += take
            offset += take
            if pending_rows == chunk_size:
                yield pa.Table.from_batches(pending, schema=ARROW_SCHEMA)
                pending, pending_rows = [], 0
        del batch
    if pending:
        yield pa.Table.from_batches(pending, schema=ARROW_SCHEMA)


def generate_events(cal: Calibration, n: int | None = None, seed: int | None = None) -> pa.Table:
    """The whole table in memory (for the snapshot size and tests)."""
    tables = list(iter_event_tables(cal, n, seed, chunk_size=max(cal.block_size, 1)))
    return pa.concat_tables(tables) if tables else ARROW_SCHEMA.empty_table()


def summarise(table: pa.Table, top: int = 10) -> dict[str, Any]:
    """Counts used in logs and reports: rows, kidnappings, top states, locations."""

    def counts(col: str) -> list[tuple[str, int]]:
        vc = pc.value_counts(table[col]).to_pylist()
        return sorted(((d["values"], d["counts"]) for d in vc), key=lambda t: (-t[1], t[0]))

    kidnap = (
        pc.sum(
            pc.cast(
                pc.match_substring_regex(table["crime_types"], r"(^|;)kidnapping(;|$)"), pa.int64()
            )
        ).as_py()
        or 0
    )
    return {
        "rows": table.num_rows,
        "kidnapping_events": kidnap,
        "states": counts("state")[:top],
        "location_types": counts("location_type"),
    }


# --------------------------------------------------------------------------
# The one I/O function: a streaming writer
# --------------------------------------------------------------------------


def write_events(path: str | Path, tables: Iterable[pa.Table], fmt: str = "csv") -> int:
    """Stream ``tables`` to ``path`` as CSV or Parquet; return the row count.

    The file appears only when complete (written to a temporary name, then
    moved). CSV: UTF-8, header row, ``\\n`` line ends, no quoting (none needed).
    Parquet: one row group per table, zstd-compressed.
    """
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from prp.data.io import atomic_path

    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown format {fmt!r} (csv or parquet)")
    rows = 0
    umask = os.umask(0)
    os.umask(umask)
    with atomic_path(path) as tmp:
        os.chmod(tmp, 0o666 & ~umask)
        if fmt == "csv":
            # Calibration checks keep commas, quotes and line breaks out of every
            # value, so no field needs quoting; the header is written by hand
            # because Arrow always quotes header names.
            options = pacsv.WriteOptions(include_header=False, delimiter=",", quoting_style="none")
            with open(tmp, "wb") as fh:
                fh.write((",".join(ARROW_SCHEMA.names) + "\n").encode("utf-8"))
                with pacsv.CSVWriter(fh, ARROW_SCHEMA, write_options=options) as writer:
                    for table in tables:
                        writer.write_table(table)
                        rows += table.num_rows
        else:
            with pq.ParquetWriter(str(tmp), ARROW_SCHEMA, compression="zstd") as writer:
                for table in tables:
                    writer.write_table(table, row_group_size=max(table.num_rows, 1))
                    rows += table.num_rows
    return rows
