"""The documentation's sources (docs/) against the package: every public name has a place in
the API reference, and the conventions page's Python blocks run as written.

Cheap by design (no Sphinx build here; CI runs ``sphinx-build -W`` separately): the first test
reads the reStructuredText of docs/api/, the second runs the conventions page's examples
(3-qubit circuits on PennyLane and Aer, a 5-bit evaluator).
"""
import re
import types
from pathlib import Path

import pytest

import qhyper as qh

DOCS = Path(__file__).resolve().parent.parent / "docs"
API = DOCS / "api"


def _directives(text: str) -> set[str]:
    """Every target of an ``auto*`` / ``py:*`` directive, and every ``qhyper.`` entry of an
    autosummary table, as written in the sources."""
    targets = set(re.findall(r"^\.\. (?:auto\w+|py:\w+):: (\S+)", text, flags=re.M))
    for block in re.findall(r"^\.\. autosummary::\n((?:(?:   .*)?\n)+)", text, flags=re.M):
        targets |= {line.strip() for line in block.splitlines()
                    if line.strip() and not line.strip().startswith(":")}
    return targets


def _api_sources() -> str:
    files = sorted(API.glob("*.rst"))
    assert files, f"no API pages in {API}"
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def test_every_public_name_is_in_the_api_reference():
    """Each name of ``qhyper.__all__`` is listed in the top-level table of docs/api/index.rst
    and documented on a page: a class or function by its own directive (``qhyper.NAME``),
    a namespace by an ``automodule`` of the module it is."""
    index = _directives((API / "index.rst").read_text(encoding="utf-8"))
    pages = _directives(_api_sources())
    missing_table, missing_page = [], []
    for name in qh.__all__:
        value = getattr(qh, name)
        if name == "__version__":
            if "__version__" not in pages and "qhyper.__version__" not in pages:
                missing_page.append(name)
            continue
        if name not in index and f"qhyper.{name}" not in index:
            missing_table.append(name)
        target = value.__name__ if isinstance(value, types.ModuleType) else f"qhyper.{name}"
        if target not in pages:
            missing_page.append(f"{name} (expected a directive for {target})")
    assert not missing_table, f"not in the top-level table of docs/api/index.rst: {missing_table}"
    assert not missing_page, f"not documented on any page of docs/api/: {missing_page}"


def test_every_api_page_is_in_the_toctree():
    toc = (API / "index.rst").read_text(encoding="utf-8").split(".. toctree::", 1)[1]
    listed = {line.strip() for line in toc.splitlines() if line.strip() and not line.strip().startswith(":")}
    pages = {f.stem for f in API.glob("*.rst")} - {"index"}
    assert pages <= listed, f"API pages missing from the toctree: {sorted(pages - listed)}"


def _python_blocks(path: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", path.read_text(encoding="utf-8"), flags=re.S | re.M)


def test_the_conventions_page_runs_as_written(capsys):
    """The bit-order, likelihood and shot-mode statements are asserted in the page's own code."""
    pytest.importorskip("pennylane")
    pytest.importorskip("qiskit_aer")
    blocks = _python_blocks(DOCS / "conventions.md")
    assert len(blocks) >= 5, "the conventions page lost its examples"
    namespace: dict = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"docs/conventions.md, python block {i + 1}", "exec"), namespace)
