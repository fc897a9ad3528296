"""Restricted sources encrypted at rest (prp.data.crypt): round trips,
no churn, no lost edits, grant and revoke, errors without key material, and
the committed ciphertexts. Throwaway identities are generated per test; the
demonstration identity is used only if present, and never printed."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pyrage
import pytest
from pyrage import x25519

from prp.data import crypt as C
from tests.keys import ROOT, demo_identity


def keyfile(tmp: Path, name: str) -> tuple[Path, str]:
    path = tmp / f"{name}.agekey"
    return path, C.generate(path)


@pytest.fixture
def tree(tmp_path: Path):
    plain = tmp_path / "plain"
    (plain / "data").mkdir(parents=True)
    (plain / "report").mkdir()
    (plain / "data/events.csv").write_text("event_id,state\nCAMRD-S-000001,Sonora\n")
    (plain / "report/annex.qmd").write_text("# Annex\n\n{{< var restricted_events.n >}}\n")
    alice, alice_pub = keyfile(tmp_path, "alice")
    rec = tmp_path / "recipients.txt"
    rec.write_text(f"# who may build the restricted edition\n{alice_pub} Alice (editor)\n")
    return plain, tmp_path / "enc", rec, alice


def test_seal_unseal_round_trip(tree, tmp_path):
    plain, enc, rec, alice = tree
    rep = C.seal(plain, enc, rec, alice)
    assert sorted(rep.written) == ["data/events.csv.age", "report/annex.qmd.age"]
    assert (enc / "data/events.csv.age").read_bytes().startswith(b"age-encryption.org/v1\n")
    assert b"Sonora" not in (enc / "data/events.csv.age").read_bytes()
    manifest = (enc / C.MANIFEST).read_text()
    assert "Sonora" not in manifest and "sha256" not in manifest  # no plaintext hash
    out = tmp_path / "build/restricted-src"
    assert not C.unsealed(out)
    C.unseal(enc, out, alice)
    assert C.unsealed(out)
    for rel in ("data/events.csv", "report/annex.qmd"):
        assert (out / rel).read_bytes() == (plain / rel).read_bytes()
        assert (out / rel).stat().st_mode & 0o077 == 0  # plaintext readable by its owner only


def test_sealing_again_keeps_ciphertexts_byte_identical(tree):
    plain, enc, rec, alice = tree
    C.seal(plain, enc, rec, alice)
    before = {p: p.read_bytes() for p in enc.rglob("*") if p.is_file()}
    rep = C.seal(plain, enc, rec, alice)
    assert rep.written == [] and len(rep.unchanged) == 2
    assert {p: p.read_bytes() for p in enc.rglob("*") if p.is_file()} == before


def test_only_the_changed_file_is_re_encrypted(tree):
    plain, enc, rec, alice = tree
    C.seal(plain, enc, rec, alice)
    annex = (enc / "report/annex.qmd.age").read_bytes()
    (plain / "data/events.csv").write_text("event_id,state\nCAMRD-S-000001,Chiapas\n")
    rep = C.seal(plain, enc, rec, alice)
    assert rep.written == ["data/events.csv.age"]
    assert (enc / "report/annex.qmd.age").read_bytes() == annex


def test_sealing_a_changed_file_without_an_identity_is_refused(tree, monkeypatch):
    plain, enc, rec, alice = tree
    C.seal(plain, enc, rec, alice)
    monkeypatch.delenv(C.ENV_IDENTITY, raising=False)
    monkeypatch.setattr(C, "USER_IDENTITY", Path("/nonexistent/key"))
    with pytest.raises(C.CryptError, match=C.ENV_IDENTITY):
        C.seal(plain, enc, rec, None)


def test_unseal_leaves_unchanged_files_and_their_mtime_alone(tree, tmp_path):
    plain, enc, rec, alice = tree
    C.seal(plain, enc, rec, alice)
    out = tmp_path / "out"
    C.unseal(enc, out, alice)
    past = time.time() - 3600
    os.utime(out / "data/events.csv", (past, past))
    rep = C.unseal(enc, out, alice)
    assert rep.written == [] and sorted(rep.unchanged) == ["data/events.csv", "report/annex.qmd"]
    assert (out / "data/events.csv").stat().st_mtime == pytest.approx(past)


def test_unseal_removes_decrypted_files_whose_ciphertext_is_gone(tree, tmp_path):
    plain, enc, rec, alice = tree
    C.seal(plain, enc, rec, alice)
    out = tmp_path / "out"
    C.unseal(enc, out, alice)
    (plain / "report/annex.qmd").unlink()
    C.seal(plain, enc, rec, alice)
    rep = C.unseal(enc, out, alice)
    assert rep.removed == ["report/annex.qmd"]
    assert not (out / "report/annex.qmd").exists()


def test_unseal_never_overwrites_an_edit_that_was_not_sealed(tree, tmp_path):
    plain, enc, rec, alice = tree
    C.seal(plain, enc, rec, alice)
    out = tmp_path / "out"
    C.unseal(enc, out, alice)
    (out / "report/annex.qmd").write_text("# Annex\n\nmy unsaved edit\n")
    with pytest.raises(C.CryptError, match=r"report/annex.qmd changed since.*make seal") as e:
        C.unseal(enc, out, alice)
    assert "\n" not in str(e.value)
    assert "my unsaved edit" in (out / "report/annex.qmd").read_text()
    # sealing the edit makes it the committed version; unseal is then a no-op
    assert C.seal(out, enc, rec, alice).written == ["report/annex.qmd.age"]
    assert C.unseal(enc, out, alice).written == []


def test_grant_and_revoke_re_encrypt_for_the_new_list(tree, tmp_path):
    plain, enc, rec, alice = tree
    C.seal(plain, enc, rec, alice)
    bob, bob_pub = keyfile(tmp_path, "bob")
    with pytest.raises(C.CryptError, match="not among its recipients"):
        C.unseal(enc, tmp_path / "bob-out", bob)
    assert C.grant(rec, bob_pub, "Bob (analyst)")
    assert not C.grant(rec, bob_pub)  # already listed
    assert len(C.rekey(enc, rec, alice).written) == 2
    C.unseal(enc, tmp_path / "bob-out", bob)  # Bob can read now
    assert C.revoke(rec, bob_pub)
    C.rekey(enc, rec, alice)
    with pytest.raises(C.CryptError):
        C.unseal(enc, tmp_path / "bob-out-2", bob)
    assert C.rekey(enc, rec, alice).written == []  # same list: nothing to do


def test_revoking_the_last_recipient_is_refused(tree):
    plain, enc, rec, alice = tree
    only = C.parse_recipients(rec.read_text())[0].key
    with pytest.raises(C.CryptError, match="last recipient"):
        C.revoke(rec, only)


def test_no_identity_gives_one_clear_line(tree, tmp_path, monkeypatch):
    plain, enc, rec, alice = tree
    C.seal(plain, enc, rec, alice)
    monkeypatch.delenv(C.ENV_IDENTITY, raising=False)
    monkeypatch.setattr(C, "USER_IDENTITY", tmp_path / "no-such.agekey")
    assert C.find_identity() is None
    with pytest.raises(C.CryptError) as e:
        C.unseal(enc, tmp_path / "out", None)
    msg = str(e.value)
    assert "\n" not in msg and C.ENV_IDENTITY in msg and "public edition" in msg


def test_errors_never_echo_key_material(tmp_path):
    bad = tmp_path / "bad.agekey"
    secret = str(x25519.Identity.generate())
    bad.write_text(f"# created\n{secret[:-3]}xyz\n")  # corrupted checksum
    with pytest.raises(C.CryptError) as e:
        C.load_identities(bad)
    assert "AGE-SECRET" not in str(e.value) and secret[20:40] not in str(e.value)
    assert str(bad) in str(e.value) and ":2:" in str(e.value)


def test_recipients_file_validation():
    good = str(x25519.Identity.generate().to_public())
    assert [r.key for r in C.parse_recipients(f"# c\n\n{good} Ana  # editor\n")] == [good]
    with pytest.raises(C.CryptError, match=":1: not a valid age recipient"):
        C.parse_recipients("age1notakey\n", "r.txt")
    with pytest.raises(C.CryptError, match="listed twice"):
        C.parse_recipients(f"{good}\n{good} again\n")
    with pytest.raises(C.CryptError, match="no recipients"):
        C.parse_recipients("# nobody\n")


def test_any_one_of_several_recipients_can_decrypt():
    ids = [x25519.Identity.generate() for _ in range(3)]
    ct = pyrage.encrypt(b"x", [i.to_public() for i in ids])
    for i in ids:
        assert pyrage.decrypt(ct, [i]) == b"x"


def test_adopt_moves_plaintext_from_the_old_places(tmp_path):
    (tmp_path / "data/restricted").mkdir(parents=True)
    (tmp_path / "data/restricted/events.csv").write_text("a\n")
    (tmp_path / "config/artifacts").mkdir(parents=True)
    (tmp_path / "config/artifacts/restricted.yaml").write_text("tables: {}\n")
    moved = C.adopt(tmp_path)
    assert len(moved) == 2
    assert (tmp_path / C.PLAIN / "data/events.csv").read_text() == "a\n"
    assert (tmp_path / C.PLAIN / "config/artifacts/restricted.yaml").exists()
    assert not (tmp_path / "data/restricted/events.csv").exists()


# --------------------------------------------------------------------------
# the committed ciphertexts


def test_no_plaintext_restricted_source_is_tracked():
    tracked = subprocess.run(
        ["git", "ls-files", "--", *C.LEGACY, "build"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert tracked == []


def test_every_committed_restricted_source_is_an_age_file_for_the_listed_recipients():
    sealed = ROOT / C.SEALED
    files = sorted(p for p in sealed.rglob("*") if p.is_file() and p.name != C.MANIFEST)
    assert files, "no encrypted restricted sources"
    for p in files:
        assert p.suffix == C.SUFFIX and p.read_bytes().startswith(b"age-encryption.org/v1\n"), p
    _, fp = C.load_recipients(ROOT / C.RECIPIENTS)
    manifest = json.loads((sealed / C.MANIFEST).read_text())
    assert manifest["recipients"] == fp
    assert set(manifest["files"]) == {str(p.relative_to(sealed)) for p in files}
    assert all(f["recipients"] == fp for f in manifest["files"].values())


@pytest.mark.skipif(demo_identity() is None, reason="no demonstration identity")
def test_the_demonstration_identity_opens_the_committed_sources(tmp_path):
    pub = C.public_of(demo_identity())
    listed = [r.key for r in C.parse_recipients((ROOT / C.RECIPIENTS).read_text())]
    assert set(pub) <= set(listed)
    rep = C.unseal(ROOT / C.SEALED, tmp_path / "out", demo_identity())
    assert "data/events.csv" in rep.written
    assert any(n.startswith("report/") and n.endswith(".qmd") for n in rep.written)
