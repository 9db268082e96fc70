"""The manifest drives the pipeline; bad sources fail with a clear message naming the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ipkg.extract.errors import ManifestError, SourceError
from ipkg.extract.manifest import load_manifest, load_sources
from ipkg.extract.pipeline import extract_structure


def test_manifest_holds_corpus_and_cited_documents(data_dir):
    docs = {d.slug: d for d, _ in load_manifest(data_dir / "manifest.toml")}
    assert len([d for d in docs.values() if d.file]) == 5
    gf = docs["guo-fa-2015-71"]
    assert gf.number == "Guo Fa [2015] No. 71" and not gf.file and len(gf.alternative_titles) == 1
    assert docs["division-of-work-2016"].implements == ["guo-fa-2015-71"]
    assert "guo-fa-2015-71" in docs["fyp13-plan-2016"].implements
    assert docs["action-plan-2009"].date_precision == "year"


def test_raw_files_are_vendored_unchanged(data_dir):
    shared = data_dir.parent.parent / "shared" / "corpus"
    if not shared.is_dir():
        pytest.skip("../shared is not beside this checkout")
    for path in (data_dir / "raw").glob("*.txt"):
        assert path.read_bytes() == (shared / path.name).read_bytes(), path.name


def _copy_data(data_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(data_dir / "raw", target / "raw")
    shutil.copy(data_dir / "manifest.toml", target / "manifest.toml")
    return target


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "looks binary"),
        ("Outline of the Strategy \u2014 caf\u00e9".encode("latin-1", "replace") + b"\xe9\xff", "not UTF-8"),
    ],
)
def test_bad_source_files(data_dir, tmp_path, content, message):
    data = _copy_data(data_dir, tmp_path)
    (data / "raw" / "000_3819ef6f0f362583.txt").write_bytes(content)
    with pytest.raises(SourceError, match=message) as info:
        load_sources(data)
    assert "000_3819ef6f0f362583.txt" in str(info.value)


def test_missing_file_named_by_manifest(data_dir, tmp_path):
    data = _copy_data(data_dir, tmp_path)
    (data / "raw" / "004_0d2518ec689bdc93.txt").unlink()
    with pytest.raises(SourceError, match="004_0d2518ec689bdc93.txt: file listed in the manifest does not exist"):
        load_sources(data)


def test_manifest_errors(tmp_path):
    bad = tmp_path / "manifest.toml"
    bad.write_text('[[document]]\nslug = "x"\ntitle = "X"\nkind = "plan"\nimplements = ["nowhere"]\n')
    with pytest.raises(ManifestError, match="implements unknown document 'nowhere'"):
        load_manifest(bad)
    bad.write_text('[[document]]\nslug = "x"\n')
    with pytest.raises(ManifestError, match="missing title, kind"):
        load_manifest(bad)
    with pytest.raises(ManifestError, match="manifest not found"):
        load_manifest(tmp_path / "nope.toml")
    entry = '[[document]]\nslug = "x"\ntitle = "X"\nkind = "plan"\n'
    bad.write_text(entry + 'style = "tasks-with-agencies"\n')  # `file` forgotten: not a cited document
    with pytest.raises(ManifestError, match="x.*numbering style needs a file"):
        load_manifest(bad)
    bad.write_text(entry + 'file = "x.txt"\n')
    with pytest.raises(ManifestError, match="x.*needs a numbering style"):
        load_manifest(bad)


def test_a_sixth_document_is_a_file_and_a_manifest_entry(data_dir, tmp_path):
    data = _copy_data(data_dir, tmp_path)
    (data / "raw" / "extra.txt").write_text(
        "A New Plan\n\nI. First Area\n\n1. Do the first thing. (State Intellectual Property Office)\n\n"
        "2. Do the second thing. (Ministry of Commerce)\n", encoding="utf-8")
    with (data / "manifest.toml").open("a", encoding="utf-8") as f:
        f.write('\n[[document]]\nslug = "new-plan-2020"\ntitle = "A New Plan"\nkind = "annual-promotion-plan"\n'
                'issued = "2020"\ndate_precision = "year"\nfile = "extra.txt"\nstyle = "tasks-with-agencies"\n')
    corpus = extract_structure(data)
    assert [m.label for m in corpus.measures if m.doc == "new-plan-2020"] == ["1", "2"]
