"""The public graph of the crime-event figures never reads restricted data:
their rules take only released aggregates and public geometry, their
scripts name no restricted path, and their datasets are not restricted."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
FIGURE_RULES = [
    "plot_crime_locations",
    "plot_crime_rail_map",
    "plot_crime_states_map",
    "plot_top_states",
    "plot_southern_border_map",
    "plot_us_border_map",
    "plot_perpetrators_top_states",
    "numbers_events",
]


def rule_block(text: str, name: str) -> str:
    m = re.search(rf"^rule {name}:\n(.*?)(?=^rule |\Z)", text, flags=re.S | re.M)
    assert m, f"rule {name} not found"
    return m.group(1)


def test_figure_rules_read_only_released_and_public_inputs():
    text = "".join(
        (ROOT / "rules" / f).read_text(encoding="utf-8") for f in ("figures.smk", "numbers.smk")
    )
    for name in FIGURE_RULES:
        block = rule_block(text, name)
        inputs = block.split("output:")[0]
        assert "restricted" not in inputs and "camrd_events" not in inputs, name
        for dataset in re.findall(r'clean\("([a-z_]+)"\)', inputs):
            assert dataset.startswith("events_") or dataset == "places", (name, dataset)


def test_figure_scripts_name_no_restricted_path():
    for name in FIGURE_RULES:
        source = (ROOT / "scripts" / f"{name}.py").read_text(encoding="utf-8")
        for needle in (
            "data/restricted",
            "restricted/",
            "restricted_dir",
            "camrd_events",
            "events.csv",
        ):
            assert needle not in source, (name, needle)


def test_figure_datasets_are_public_released_files():
    package = yaml.safe_load((ROOT / "data" / "datapackage.yaml").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    catalog = yaml.safe_load(
        (ROOT / "config" / "artifacts" / "part3_events.yaml").read_text(encoding="utf-8")
    )
    ids = [
        "crime-locations",
        "crime-rail-map",
        "crime-states-map",
        "top-states",
        "southern-border-map",
        "us-border-map",
        "perpetrators-top-states",
    ]
    assert list(catalog["figures"]) == ids
    for fig_id in ids:
        for dataset in catalog["figures"][fig_id]["datasets"]:
            if dataset not in resources:  # descriptors not merged yet: the released file must exist
                assert (ROOT / "data" / "released" / f"{dataset}.csv").exists(), dataset
                continue
            res = resources[dataset]
            assert not res.get("x-restricted"), (fig_id, dataset)
            assert not res["path"].startswith("restricted/"), (fig_id, dataset)
