"""The code folders install as one package, ipkg; dependencies run one way."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"ontology": 0, "extract": 1, "graph": 2, "api": 3}


def test_package_list_matches_the_folders():
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapped = tool["package-dir"]
    assert set(tool["packages"]) == set(mapped)
    on_disk = {"ipkg"} | {
        "ipkg." + ".".join(p.parent.relative_to(ROOT).parts)
        for top in LAYERS for p in (ROOT / top).rglob("__init__.py")
    }
    assert on_disk == set(mapped)


def test_dependencies_run_one_way():
    """ontology -> extract -> graph -> api: no module imports a layer to its right."""
    for top, level in LAYERS.items():
        for path in (ROOT / top).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                for name in names:
                    parts = name.split(".")
                    if parts[0] in LAYERS:
                        pytest.fail(f"{path}: bare import {name!r}; import ipkg.{name}")
                    if parts[0] == "ipkg" and len(parts) > 1 and parts[1] in LAYERS:
                        assert LAYERS[parts[1]] <= level, f"{path} imports {name} (layer {parts[1]} > {top})"


def test_editable_install_imports_the_mapped_folders():
    import ipkg.api
    import ipkg.extract.structure
    import ipkg.graph

    assert Path(ipkg.extract.structure.__file__).parent == ROOT / "extract"
    assert Path(ipkg.api.__file__).parent == ROOT / "api"
    assert Path(ipkg.graph.__file__).parent == ROOT / "graph"


@pytest.mark.slow
def test_wheel_holds_only_the_ipkg_package(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(ROOT)], check=True)
    wheel = next(tmp_path.glob("ipkg-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.startswith("ipkg-")}
    assert tops == {"ipkg"}
    assert "ipkg/extract/structure.py" in names and "ipkg/ontology/ipkg.ttl" in names
    # a normal (non-editable) install imports from the wheel, in a fresh environment
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True)
    out = subprocess.run([sys.executable, "-c", "import ipkg.extract.structure as s, ipkg.ontology; print(s.__file__)"],
                         env={"PYTHONPATH": str(target)}, capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.strip().startswith(str(target / "ipkg" / "extract"))
