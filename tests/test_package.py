"""The installed package: one import name, `qhyper.circuits` inside it, quick import."""
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_qhyper_and_circuits():
    out = subprocess.run([sys.executable, "-c", "import qhyper, qhyper.circuits; print(qhyper.circuits.__name__)"],
                         capture_output=True, text=True, cwd="/")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "qhyper.circuits"


def test_wheel_adds_only_the_qhyper_import_name(tmp_path):
    # built from a clean copy: a stale build/ folder would hide a package missing from pyproject
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns("build", "*.egg-info", ".git", "__pycache__",
                                                             "results", "tutorials", "benchmarks", "tests"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(src)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("qhyper-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"qhyper"}
    assert "qhyper/circuits/__init__.py" in names
    # every subpackage of the source tree is in the wheel (pyproject lists them by name)
    for init in (ROOT / "qhyper").rglob("__init__.py"):
        rel = init.relative_to(ROOT).as_posix()
        assert rel in names, f"{rel} is missing from the wheel: add its package to [tool.setuptools] packages"
