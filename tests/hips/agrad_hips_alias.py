"""A pytest plugin that resolves ``autograd`` and ``autograd.*`` to ``agrad.autograd``.

``tests/hips/run.py`` loads it (``-p agrad_hips_alias``) into the subprocess that runs HIPS
autograd's own test files unchanged: their ``import autograd.numpy as np`` then imports
``agrad.autograd.numpy``. HIPS's own package is never imported, even when it is installed.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType
from typing import Any

ALIAS = "autograd"
TARGET = "agrad.autograd"


class _Loader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(self.target)

    def exec_module(self, module: ModuleType) -> None:
        # the module ran under its own name; the import system now also stores it under
        # the alias, so `import autograd.numpy` and `import agrad.autograd.numpy` agree
        return None


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != ALIAS and not name.startswith(ALIAS + "."):
            return None
        real = TARGET + name[len(ALIAS) :]
        if importlib.util.find_spec(real) is None:
            return None
        return importlib.machinery.ModuleSpec(name, _Loader(real), is_package=True)


def install() -> None:
    """Put the alias first on ``sys.meta_path`` and drop any ``autograd`` already loaded."""
    for name in [n for n in sys.modules if n == ALIAS or n.startswith(ALIAS + ".")]:
        del sys.modules[name]
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


install()
