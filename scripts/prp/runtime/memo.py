"""Content-addressed memos of what every Snakemake start recomputes.

Each start of the workflow (a no-op included) parses the data package
descriptor and validates the configuration against its JSON schema. Both
results depend only on bytes that can be hashed: :func:`json_memo` keeps each
result as JSON in a folder (``.snakemake/prp/``), named by the SHA-256 of
those bytes, and reads it back at the next start instead of recomputing it.
A changed input is a different name, so a memo is never stale; a value that
JSON does not carry exactly (dates, tuples, non-string keys, NaN) is never
memoised, and an unreadable memo is recomputed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

VERSION = b"prp-memo-1\0"


def _exact_json(value: Any) -> str | None:
    """``value`` as JSON when reading that JSON gives back an equal value."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return text if json.loads(text) == value else None


def json_memo(folder: str | Path | None, kind: str, key: bytes, compute: Callable[[], Any]) -> Any:
    """``compute()``, or the JSON memo of an earlier call with the same
    ``kind`` and ``key`` in ``folder`` (``None``: no memo). A new memo
    replaces the older ones of its kind, written atomically."""
    if folder is None:
        return compute()
    folder = Path(folder)
    name = f"{kind}-{hashlib.sha256(VERSION + key).hexdigest()}.json"
    try:
        with open(folder / name, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        pass
    value = compute()
    text = _exact_json(value)
    if text is None:
        return value
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}.{os.getpid()}"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, folder / name)
        for old in folder.glob(f"{kind}-*.json"):
            if old.name != name:
                old.unlink(missing_ok=True)
    except OSError:  # a read-only checkout still builds, without memos
        pass
    return value


def validate_config(
    config: MutableMapping[str, Any], schema: str | Path, folder: str | Path | None
) -> None:
    """Snakemake's ``validate(config, schema)`` (which also fills in the
    schema's defaults), memoised by the configuration and the schema: a
    configuration once found valid is not checked again, and gets the same
    defaults."""
    from snakemake import __version__ as snakemake_version
    from snakemake.utils import validate

    def check() -> dict[str, Any]:
        validate(config, str(schema))
        return dict(config)

    given = _exact_json(dict(config))
    if given is None:
        check()
        return
    key = b"\0".join([snakemake_version.encode(), given.encode(), Path(schema).read_bytes()])
    config.update(json_memo(folder, "config", key, check))
