"""The README's Python example runs as written, and its two Quickstart commands are the ones CI uses."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_readme_example_runs(tmp_path):
    (code,) = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "test_accuracy" in out.stdout


def test_quickstart_has_exactly_two_commands_and_ci_runs_the_test_one():
    quick = README.split("## Quickstart")[1].split("\n## ")[0]
    commands = re.findall(r"```bash\n(.*?)\n```", quick, flags=re.S)
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert commands[0].endswith("qhyper compare")
    assert commands[1] in (ROOT / ".ci" / "run").read_text()
