"""Restricted sources encrypted at rest with age (pyrage).

Layout:

* ``restricted/`` -- committed ciphertexts, one ``<path>.age`` per
  restricted source, plus ``MANIFEST.json`` (which recipient set each file
  is encrypted for; no plaintext hash: a hash of a low-entropy restricted
  file would let anyone confirm a guess). The paths mirror the plaintext
  tree: ``data/`` (the restricted data: ``restricted_dir``), ``report/``
  (the restricted chapters, ``restricted/<name>.qmd`` in the book profile),
  ``config/artifacts/`` (the restricted edition's artifact catalog);
* ``config/restricted-recipients.txt`` -- committed list of who may read
  them: one age recipient per line (``age1...`` or an ``ssh-ed25519``/
  ``ssh-rsa`` public key), ``#`` comments, an optional name after the key;
* an identity file outside the repository (age-keygen format), found
  through ``$PRP_AGE_IDENTITY``, then ``~/.config/prp/restricted.agekey``;
  none means a public build;
* ``build/restricted-src/`` -- the decrypted tree (git-ignored), written
  only by :func:`unseal`, file by file and only where the content changed,
  so that Snakemake sees no change when nothing changed. Its
  ``.unsealed.json`` records what was decrypted: a file edited there since
  is never overwritten (``make seal`` encrypts the edit).

age output is randomised, so re-encrypting an unchanged file changes its
ciphertext: :func:`seal` rewrites a ``.age`` only when the plaintext differs
from what the existing ciphertext decrypts to, or when the recipients
changed since it was written.

Nothing here prints, logs or puts into an exception message any part of an
identity: errors name the file and line only.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyrage
from pyrage import ssh, x25519

SEALED = Path("restricted")
"""Committed ciphertexts, relative to the repository root."""
RECIPIENTS = Path("config/restricted-recipients.txt")
PLAIN = Path("build/restricted-src")
"""The decrypted tree, relative to the repository root (git-ignored)."""
SUFFIX = ".age"
MANIFEST = "MANIFEST.json"
UNSEALED = ".unsealed.json"
"""In the decrypted tree: what :func:`unseal` wrote (marks a complete tree)."""
ENV_IDENTITY = "PRP_AGE_IDENTITY"
USER_IDENTITY = Path("~/.config/prp/restricted.agekey")

LEGACY = {
    "data/restricted": "data",
    "report/restricted": "report",
    "config/artifacts/restricted.yaml": "config/artifacts/restricted.yaml",
}
"""Where restricted plaintext lived before it was encrypted -> its place in
the decrypted tree (:func:`adopt` moves files found there)."""

NEEDS_KEY = (
    f"the restricted edition needs an age identity: set {ENV_IDENTITY} to your key file "
    f"(or put it at {USER_IDENTITY}); the public edition builds without one"
)


class CryptError(Exception):
    """A one-line, key-free explanation of what went wrong and how to fix it."""


# --------------------------------------------------------------------------
# recipients


@dataclass(frozen=True)
class RecipientLine:
    key: str
    """The public key as written."""
    name: str
    """The rest of the line (who it is), may be empty."""
    line: int


def parse_recipients(
    text: str, source: str = "recipients", allow_empty: bool = False
) -> list[RecipientLine]:
    """Lines of a recipients file: ``age1... name`` or ``ssh-ed25519 AAAA...
    name``; blank lines and ``#`` comments (whole-line or trailing) are
    skipped; duplicates are an error."""
    out: list[RecipientLine] = []
    seen: set[str] = set()
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if parts[0].startswith("ssh-"):
            if len(parts) < 2:
                raise CryptError(f"{source}:{n}: an ssh key needs its type and base64 body")
            key, name = f"{parts[0]} {parts[1]}", " ".join(parts[2:])
        else:
            key, name = parts[0], " ".join(parts[1:])
        recipient(key, f"{source}:{n}")
        if key in seen:
            raise CryptError(f"{source}:{n}: recipient listed twice")
        seen.add(key)
        out.append(RecipientLine(key, name, n))
    if not out and not allow_empty:
        raise CryptError(
            f"{source}: no recipients: nobody could decrypt; add one with `make grant KEY=age1...`"
        )
    return out


def recipient(key: str, where: str) -> Any:
    """A pyrage recipient from its text; CryptError naming ``where`` if invalid."""
    try:
        if key.startswith("age1"):
            return x25519.Recipient.from_str(key)
        if key.startswith("ssh-"):
            return ssh.Recipient.from_str(key)
    except pyrage.RecipientError as e:
        raise CryptError(f"{where}: not a valid age recipient ({e})") from None
    raise CryptError(f"{where}: a recipient starts with age1 or ssh-")


def load_recipients(path: str | Path) -> tuple[list[Any], str]:
    """(pyrage recipients, fingerprint of the list) from a recipients file."""
    path = Path(path)
    if not path.exists():
        raise CryptError(f"{path}: no recipients file")
    lines = parse_recipients(path.read_text(encoding="utf-8"), str(path))
    return [recipient(r.key, str(path)) for r in lines], fingerprint(r.key for r in lines)


def fingerprint(keys: Iterable[str]) -> str:
    """sha256 of the sorted public keys: identifies the recipient set (public)."""
    return hashlib.sha256("\n".join(sorted(set(keys))).encode()).hexdigest()


# --------------------------------------------------------------------------
# identities


def find_identity(explicit: str | Path | None = None) -> Path | None:
    """The identity file to use: ``explicit``, else ``$PRP_AGE_IDENTITY``,
    else ``~/.config/prp/restricted.agekey`` if it exists; None if there is
    none (a public build)."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_IDENTITY)
    if env:
        return Path(env).expanduser()
    user = USER_IDENTITY.expanduser()
    return user if user.exists() else None


def load_identities(path: str | Path) -> list[Any]:
    """Identities of an age-keygen file (one secret key per line, comments
    skipped). Errors name the line and never echo key material."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CryptError(f"{path}: no such identity file ({ENV_IDENTITY}); {NEEDS_KEY}") from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError):
        raise CryptError(f"{path}: not a readable age identity file") from None
    out = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            out.append(x25519.Identity.from_str(line))
        except pyrage.IdentityError:
            raise CryptError(
                f"{path}:{n}: malformed age identity (age-keygen format expected)"
            ) from None
    if not out:
        raise CryptError(f"{path}: no age identity in the file")
    return out


def loose_permissions(path: str | Path) -> bool:
    """True if others may read the identity file (worth a warning, as ssh gives)."""
    return bool(Path(path).stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def public_of(path: str | Path) -> list[str]:
    """The recipients (age1...) of an identity file: what to give to `make grant`."""
    return [str(i.to_public()) for i in load_identities(path)]


def generate(path: str | Path) -> str:
    """Write a new identity file (mode 0600, age-keygen format); return its recipient."""
    ident = x25519.Identity.generate()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"# public key: {ident.to_public()}\n{ident}\n")
    return str(ident.to_public())


# --------------------------------------------------------------------------
# files


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_if_changed(path: Path, data: bytes, mode: int | None = None) -> bool:
    """Write atomically (temporary file + rename) unless the file already
    holds exactly ``data``; returns whether it wrote. An unchanged file keeps
    its mtime, so Snakemake sees nothing to redo."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644 if mode is None else mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def _files(root: Path, suffix: str = "") -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(
        p.relative_to(root)
        for p in root.rglob("*")
        if p.is_file()
        and p.name.endswith(suffix)
        and p.name not in (MANIFEST, UNSEALED)
        and not p.name.startswith(".")
    )


def _json(path: Path, default: dict[str, Any]) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    except FileNotFoundError:
        return default


def _write_json(path: Path, data: dict[str, Any], mode: int | None = None) -> None:
    write_if_changed(path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode(), mode)


@dataclass
class Report:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self, what: str) -> str:
        return (
            f"{what}: {len(self.written)} written, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed ({self.seconds:.2f} s)"
        )


def _decrypt(path: Path, ids: Sequence[Any], identity: Path) -> bytes:
    try:
        return bytes(pyrage.decrypt(path.read_bytes(), list(ids)))
    except pyrage.DecryptError as err:
        if "no matching keys" in str(err).lower():
            raise CryptError(
                f"{path}: the identity in {identity} is not among its recipients "
                "(send your public key, `make public-key`, to someone who can `make grant`)"
            ) from None
        raise CryptError(
            f"{path}: cannot be decrypted ({err}): the file is damaged or was altered; "
            "restore it from git (`git checkout -- restricted/`)"
        ) from None


def seal(
    plain: str | Path = PLAIN,
    enc: str | Path = SEALED,
    recipients_file: str | Path = RECIPIENTS,
    identity: str | Path | None = None,
    armored: bool = False,
) -> Report:
    """Encrypt every file under ``plain`` to ``enc/<rel>.age`` for the listed
    recipients, rewriting a ciphertext only when needed (see module doc);
    delete ciphertexts whose plaintext is gone. Deciding whether an existing
    ciphertext still matches needs an identity."""
    t0 = time.perf_counter()
    plain, enc = Path(plain), Path(enc)
    if not plain.is_dir() or not _files(plain):
        raise CryptError(f"{plain}: nothing to seal (decrypt first with `make unseal`)")
    recipients, fp = load_recipients(recipients_file)
    ident = find_identity(identity)
    ids = load_identities(ident) if ident else None
    man = _json(enc / MANIFEST, {"files": {}})
    rep = Report()
    have = set()
    for rel in _files(plain):
        data = (plain / rel).read_bytes()
        key = str(rel) + SUFFIX
        have.add(key)
        target = enc / key
        if target.exists() and man["files"].get(key, {}).get("recipients") == fp:
            if ids is None or ident is None:
                raise CryptError(f"{target}: cannot tell whether {rel} changed; {NEEDS_KEY}")
            if _decrypt(target, ids, ident) == data:
                rep.unchanged.append(key)
                continue
        write_if_changed(target, bytes(pyrage.encrypt(data, recipients, armored=armored)))
        man["files"][key] = {"recipients": fp}
        rep.written.append(key)
    for rel in _files(enc, SUFFIX):
        if str(rel) not in have:
            (enc / rel).unlink()
            man["files"].pop(str(rel), None)
            rep.removed.append(str(rel))
    man["recipients"] = fp
    _write_json(enc / MANIFEST, man)
    # the decrypted tree now matches the ciphertexts: record it as unsealed
    _write_json(
        plain / UNSEALED,
        {"files": {str(r): sha256((plain / r).read_bytes()) for r in _files(plain)}},
        0o600,
    )
    rep.seconds = time.perf_counter() - t0
    return rep


def unseal(
    enc: str | Path = SEALED, out: str | Path = PLAIN, identity: str | Path | None = None
) -> Report:
    """Decrypt every ``enc/<rel>.age`` into ``out/<rel>``, writing only files
    whose content changed, and delete decrypted files whose ciphertext is
    gone. A decrypted file edited since the last unseal is never overwritten
    or deleted: CryptError tells to seal it or delete it. Raises CryptError
    (one line) without an identity."""
    t0 = time.perf_counter()
    enc, out = Path(enc), Path(out)
    path = find_identity(identity)
    if path is None:
        raise CryptError(NEEDS_KEY)
    ids = load_identities(path)
    if loose_permissions(path):
        print(
            f"prp.data.crypt: warning: {path} is readable by other users (chmod 600 it)",
            file=sys.stderr,
        )
    if not _files(enc, SUFFIX):
        raise CryptError(f"{enc}: no encrypted restricted sources (*.age)")
    record = _json(out / UNSEALED, {"files": {}})["files"]
    plain = {
        str(rel)[: -len(SUFFIX)]: _decrypt(enc / rel, ids, path) for rel in _files(enc, SUFFIX)
    }
    edited = []
    for name in sorted(set(plain) | {str(r) for r in _files(out)}):
        target = out / name
        if target.exists():
            current = sha256(target.read_bytes())
            new = sha256(plain[name]) if name in plain else None
            if current != record.get(name) and current != new:
                edited.append(name)
    if edited:
        raise CryptError(
            f"{out}: {', '.join(edited)} changed since it was decrypted; run `make seal` to "
            "encrypt the change, or delete the file to take the committed version"
        )
    rep = Report()
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    for name, data in plain.items():
        (rep.written if write_if_changed(out / name, data, 0o600) else rep.unchanged).append(name)
    for rel in _files(out):
        if str(rel) not in plain:
            (out / rel).unlink()
            rep.removed.append(str(rel))
    _write_json(out / UNSEALED, {"files": {n: sha256(d) for n, d in plain.items()}}, 0o600)
    rep.seconds = time.perf_counter() - t0
    return rep


def unsealed(out: str | Path = PLAIN) -> bool:
    """Is there a complete decrypted tree (written by :func:`unseal` or :func:`seal`)?"""
    return (Path(out) / UNSEALED).is_file()


def rekey(
    enc: str | Path = SEALED,
    recipients_file: str | Path = RECIPIENTS,
    identity: str | Path | None = None,
) -> Report:
    """Re-encrypt every ciphertext whose recipient set differs from the
    recipients file (after `grant`/`revoke`). Needs an identity that can
    read them. Revoking does not undo access to earlier commits'
    ciphertexts or to copies already decrypted: rotate the material if that
    matters."""
    t0 = time.perf_counter()
    enc = Path(enc)
    recipients, fp = load_recipients(recipients_file)
    path = find_identity(identity)
    if path is None:
        raise CryptError(f"re-encrypting needs the identity of a current recipient; {NEEDS_KEY}")
    ids = load_identities(path)
    man = _json(enc / MANIFEST, {"files": {}})
    rep = Report()
    for rel in _files(enc, SUFFIX):
        key = str(rel)
        if man["files"].get(key, {}).get("recipients") == fp:
            rep.unchanged.append(key)
            continue
        data = _decrypt(enc / rel, ids, path)
        write_if_changed(enc / rel, bytes(pyrage.encrypt(data, recipients)))
        man["files"][key] = {"recipients": fp}
        rep.written.append(key)
    man["recipients"] = fp
    _write_json(enc / MANIFEST, man)
    rep.seconds = time.perf_counter() - t0
    return rep


def grant(recipients_file: str | Path, key: str, name: str = "") -> bool:
    """Add a recipient line (validated); False if it is already listed."""
    path = Path(recipients_file)
    key = key.strip()
    recipient(key, "KEY")
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if key in {r.key for r in parse_recipients(text, str(path), allow_empty=True)}:
        return False
    if text and not text.endswith("\n"):
        text += "\n"
    write_if_changed(path, (text + f"{key} {name}".rstrip() + "\n").encode())
    return True


def revoke(recipients_file: str | Path, key: str) -> bool:
    """Remove a recipient's line; refuses to remove the last one."""
    path = Path(recipients_file)
    text = path.read_text(encoding="utf-8")
    lines = parse_recipients(text, str(path))
    key = key.strip()
    if key not in {r.key for r in lines}:
        return False
    if len(lines) == 1:
        raise CryptError(f"{path}: refusing to revoke the last recipient")
    drop = next(r.line for r in lines if r.key == key)
    kept = [raw for n, raw in enumerate(text.splitlines(), start=1) if n != drop]
    write_if_changed(path, ("\n".join(kept) + "\n").encode())
    return True


def adopt(root: str | Path = ".", plain: str | Path | None = None) -> list[str]:
    """Move restricted plaintext found at its old places (:data:`LEGACY`,
    e.g. after merging a branch that still edits ``data/restricted/``) into
    the decrypted tree, so that ``seal`` encrypts it. Returns what moved."""
    root = Path(root)
    plain = root / PLAIN if plain is None else Path(plain)
    moved = []
    for old, new in LEGACY.items():
        src = root / old
        if src.is_file():
            pairs = [(src, plain / new)]
        elif src.is_dir():
            pairs = [(src / r, plain / new / r) for r in _files(src)]
        else:
            continue
        for a, b in pairs:
            b.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(a), str(b))
            moved.append(f"{a.relative_to(root)} -> {b.relative_to(root)}")
    return moved


def _main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(
        prog="python -m prp.data.crypt",
        description="Restricted sources encrypted at rest with age (see the module doc).",
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("seal", "unseal", "status", "rekey", "public-key", "adopt"):
        p = sub.add_parser(name)
        p.add_argument("--identity")
    for name in ("grant", "revoke"):
        p = sub.add_parser(name)
        p.add_argument("key")
        p.add_argument("name", nargs="?", default="")
        p.add_argument("--identity")
    gen = sub.add_parser("generate")
    gen.add_argument("path")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "seal":
            print(seal(identity=a.identity).line("seal"))
        elif a.cmd == "unseal":
            print(unseal(identity=a.identity).line("unseal"))
        elif a.cmd == "rekey":
            print(rekey(identity=a.identity).line("rekey"))
        elif a.cmd == "status":
            ident = find_identity(a.identity)
            lines = parse_recipients(RECIPIENTS.read_text(encoding="utf-8"), str(RECIPIENTS))
            print(f"recipients ({RECIPIENTS}): {len(lines)}")
            print(f"encrypted sources ({SEALED}/): {len(_files(SEALED, SUFFIX))}")
            print(f"identity: {ident if ident else 'none (public edition only)'}")
            print(f"decrypted tree ({PLAIN}/): {'present' if unsealed() else 'absent'}")
        elif a.cmd == "public-key":
            ident = find_identity(a.identity)
            if ident is None:
                raise CryptError(NEEDS_KEY)
            print("\n".join(public_of(ident)))
        elif a.cmd == "generate":
            print(generate(a.path))
        elif a.cmd == "adopt":
            moved = adopt()
            print("\n".join(moved) if moved else "no restricted plaintext at the old places")
            if moved:
                print(seal(identity=a.identity).line("seal"))
        elif a.cmd == "grant":
            added = grant(RECIPIENTS, a.key, a.name)
            print(f"{'added' if added else 'already listed'}: {a.key.strip()}")
            print(rekey(identity=a.identity).line("rekey"))
        else:
            if not revoke(RECIPIENTS, a.key):
                raise CryptError(f"{RECIPIENTS}: {a.key.strip()} is not listed")
            print(rekey(identity=a.identity).line("rekey"))
            print(
                "revoked for the ciphertexts from now on; the key still opens the ciphertexts "
                "of earlier commits and any copy already decrypted (rotate the material if "
                "that matters)"
            )
    except CryptError as e:
        print(f"prp.data.crypt: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
