"""Sphinx configuration of the qhyper documentation.

Build (from the repository root, after ``pip install ".[docs]"``)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The build needs no network: there is no intersphinx, and the tutorials are rendered from
their ``.ipynb`` files as stored (myst-nb with execution off), never run. The CLI page
includes the ``--help`` text of every ``qhyper`` subcommand, generated here from the
command's own argument parser, so it cannot drift from what the command accepts.
"""
from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Import qhyper from this checkout (also when it is not installed; `circuits/` is found
# beside `qhyper/` by the package itself).
sys.path.insert(0, str(ROOT))

import qhyper  # noqa: E402

project = "qhyper"
author = "the qhyper authors"
copyright = "the qhyper authors, Apache-2.0"
release = qhyper.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "myst_nb",  # Markdown pages (MyST) and the tutorial notebooks
]

# ---------------------------------------------------------------- sources
exclude_patterns = ["_build", "_generated", "**/.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
# Markdown and notebooks are registered by myst_nb; reStructuredText for the API pages.
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"

# ---------------------------------------------------------------- MyST / notebooks
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "off"  # render the notebooks as stored; the test suite executes them
nb_merge_streams = True

# ---------------------------------------------------------------- API reference
autodoc_default_options = {
    "members": True,
    "member-order": "bysource",
    "show-inheritance": True,
}
autodoc_typehints = "signature"
autodoc_class_signature = "mixed"
autodoc_preserve_defaults = True
autosummary_generate = False  # the API pages are written by hand; autosummary only makes tables
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
napoleon_preprocess_types = False
napoleon_attr_annotations = True
add_module_names = False
python_use_unqualified_type_names = True

# ---------------------------------------------------------------- HTML
html_theme = "furo"
html_title = f"qhyper {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
html_copy_source = False

# ---------------------------------------------------------------- lazy members
# Several namespaces (qh.trainers, qh.pib, qh.pibinn, …) import their members on first
# attribute access, so they are not yet in the module's __dict__ where autodoc looks for
# them. Touch every public name once, so that `automodule` finds all of `__all__`.
import importlib  # noqa: E402

#: the modules with a page of their own under api/ (each documents its ``__all__``)
API_MODULES = ["qhyper.bitstrings", "qhyper.circuits", "qhyper.data", "qhyper.hypernet", "qhyper.noise",
               "qhyper.objectives", "qhyper.gradients", "qhyper.trainers", "qhyper.comparison", "qhyper.plot",
               "qhyper.information", "qhyper.pibinn", "qhyper.pib", "qhyper.protocol"]
#: names re-exported by a namespace but documented once, with the top-level names
DOCUMENTED_AT_TOP = {"qhyper.data.Dataset": "qhyper.Dataset", "qhyper.hypernet.Hypernetwork": "qhyper.Hypernetwork",
                     "qhyper.comparison.compare": "qhyper.compare"}

for _name in API_MODULES:
    _module = importlib.import_module(_name)
    for _member in _module.__all__:
        getattr(_module, _member)


def _check_every_public_name(app, env) -> None:
    """Warn (an error under ``-W``) for a public name that no API page documents: every name
    of ``qhyper.__all__`` and of each API module's ``__all__``."""
    from sphinx.util import logging

    log = logging.getLogger("qhyper.docs")
    objects = env.get_domain("py").objects
    wanted = [f"qhyper.{n}" for n in qhyper.__all__ if not isinstance(getattr(qhyper, n), type(qhyper))]
    wanted += [getattr(qhyper, n).__name__ for n in qhyper.__all__ if isinstance(getattr(qhyper, n), type(qhyper))]
    for name in API_MODULES:
        wanted += [DOCUMENTED_AT_TOP.get(f"{name}.{m}", f"{name}.{m}") for m in importlib.import_module(name).__all__]
    for full in dict.fromkeys(wanted):  # each name once, in order
        if full not in objects:
            log.warning(f"public name {full} is not documented on any page of docs/api/ (add it, or give it a "
                        "docstring if autodoc skipped it)", type="qhyper", subtype="undocumented")


# ---------------------------------------------------------------- generated pages
GENERATED = HERE / "_generated"


def _cli_help() -> None:
    """Write the ``--help`` text of ``qhyper`` and each subcommand, and the output of
    ``qhyper tasks``, ``qhyper methods`` and ``qhyper methods --options METHOD`` for every
    method, into ``_generated/`` for ``cli.md``."""
    from qhyper import cli

    GENERATED.mkdir(exist_ok=True)
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal width: make it fixed
    parser = cli.build_parser()
    texts = {"qhyper": parser.format_help()}
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, p in sub.choices.items():
        texts[f"qhyper-{name}"] = p.format_help()
    texts["out-tasks"] = _run(cli, ["tasks"])
    texts["out-methods"] = _run(cli, ["methods"])
    from qhyper import comparison

    sections = []
    for method in comparison.methods():
        sections += [f"### `{method}`", "", "```text", f"$ qhyper methods --options {method}",
                     _run(cli, ["methods", "--options", method]).rstrip(), "```", ""]
    texts["methods-options"] = "\n".join(sections)
    for name, text in texts.items():
        path = GENERATED / (f"{name}.md" if name == "methods-options" else f"{name}.txt")
        if not path.exists() or path.read_text() != text:  # unchanged files keep the build incremental
            path.write_text(text)


def _run(cli, argv: list[str]) -> str:
    """What ``qhyper ARGV`` prints (run in this process); a non-zero exit fails the build."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(argv)
    if code != 0:
        raise RuntimeError(f"qhyper {' '.join(argv)} exited with status {code}")
    return out.getvalue()


_cli_help()


def _drop_object_base(app, name, obj, options, bases) -> None:
    """``Bases: object`` says nothing: show a class's bases only when it has real ones."""
    if bases == [object]:
        bases.clear()


def setup(app):
    app.connect("env-check-consistency", _check_every_public_name)
    app.connect("autodoc-process-bases", _drop_object_base)
