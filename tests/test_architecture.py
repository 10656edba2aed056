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


def test_importing_a_model_never_loads_a_trainer():
    """The side systems' packages load their scoring and training modules on first use
    (``import qhyper`` itself loads the Evaluator and the posterior: they are its front page)."""
    code = ("import sys, qhyper.pibinn.problems, qhyper.pibinn.model, qhyper.pib.network; "
            "print(sorted(m for m in sys.modules if m.startswith('qhyper.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    loaded = out.stdout
    for upper in ("qhyper.trainers", "qhyper.pibinn.training", "qhyper.pibinn.metrics", "qhyper.pib.endtoend",
                  "qhyper.pib.scoring", "qhyper.pib.local", "qhyper.objectives", "qhyper.comparison"):
        assert f"'{upper}" not in loaded, f"{upper} loaded by importing model modules: {loaded}"


def test_no_global_random_or_thread_state_outside_the_one_helper():
    forbidden = ("torch.manual_seed(", "torch.set_num_threads(", "np.random.seed(", "numpy.random.seed(")
    hits = [f"{path.relative_to(ROOT)}: {word}"
            for path in [*(ROOT / "qhyper").rglob("*.py"), *(ROOT / "circuits").rglob("*.py")]
            if path.name != "_threads.py"
            for word in forbidden if word in path.read_text()]
    assert not hits, hits


# modules allowed past 350 lines because they hold one idea that reads best in one place
COHERENT = {"qhyper/hypernet/engine.py": "the torch statevector engine: stages and their one-sweep adjoint"}


def test_modules_stay_short():
    long = {path.relative_to(ROOT).as_posix(): n
            for path in [*(ROOT / "qhyper").rglob("*.py"), *(ROOT / "circuits").rglob("*.py")]
            if (n := len(path.read_text().splitlines())) > 350}
    assert set(long) <= set(COHERENT), long


def test_every_module_sits_in_a_layer():
    """A module left out of the layers list would escape the contract."""
    try:
        import tomllib
    except ImportError:  # Python 3.10: import-linter depends on tomli there
        import tomli as tomllib

    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    layered = [m.strip() for layer in contract["layers"] for m in layer.replace("|", ":").split(":")]
    modules = [".".join(("qhyper", *p.relative_to(ROOT / "qhyper").with_suffix("").parts))
               for p in (ROOT / "qhyper").rglob("*.py") if p.name != "__init__.py"]
    modules += [f"qhyper.circuits.{p.stem}" for p in (ROOT / "circuits").glob("*.py") if p.name != "__init__.py"]
    outside = [m for m in modules if not any(m == l or m.startswith(l + ".") for l in layered)]
    assert not outside, f"add these modules to a layer in pyproject.toml: {outside}"
