"""The layer order is enforced by import-linter (contracts in pyproject.toml), on the
package laid out as it is installed: `circuits/` becomes `qhyper.circuits`."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def installed_layout(dest: Path) -> Path:
    """Copy the sources as the wheel installs them (setuptools' package-dir mapping)."""
    pkg = dest / "qhyper"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "qhyper", pkg, ignore=ignore)
    shutil.copytree(ROOT / "circuits", pkg / "circuits", ignore=ignore)
    return pkg


def lint(where: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` with the project's contracts on the copy of the package in ``where``."""
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
                           "sys.exit(lint_imports_command())", str(ROOT / "pyproject.toml"), "--no-cache"],
                          cwd=where, env=env, capture_output=True, text=True)


def test_import_linter_contracts_hold(tmp_path):
    installed_layout(tmp_path)
    out = lint(tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout and "Contracts: 2 kept" in out.stdout, out.stdout


def test_a_planted_upward_import_is_caught(tmp_path):
    """The contract is live: an import from a low layer into trainers breaks it."""
    out_dir = tmp_path / "planted"
    out_dir.mkdir()
    pkg = installed_layout(out_dir)
    bits = pkg / "bitstrings.py"
    bits.write_text(bits.read_text() + "\nfrom .trainers import qhn  # noqa: planted\n")
    out = lint(out_dir)
    assert out.returncode != 0 and "qhyper.bitstrings -> qhyper.trainers" in out.stdout, out.stdout
