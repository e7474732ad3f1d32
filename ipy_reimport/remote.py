"""What runs inside a worker process after a reload in the kernel.

The worker compares its files with the ones the kernel executed (by content, so that a worker
with its own copy of the package is noticed), writes the kernel's sources when they were sent,
then deep-reloads the modules it has loaded with ipy_reimport's own engine: the same plan, order,
patching and all-or-nothing rollback as in the kernel.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import sys

from .baseline import Stamp
from .errors import ReloadFailed, UsageProblem
from .executing import Source, runs_source
from .scope import source_file
from .workers import FileProblem, ReloadSpec, SourceFile, WorkerError, WorkerOutcome, quiet

__all__ = ["apply"]


def apply(spec: ReloadSpec, worker: str) -> WorkerOutcome:
    """Bring this process up to date with the kernel's reload ``spec``.

    Args:
        spec: the kernel's reload.
        worker: this worker's name in the outcome.

    Returns:
        ``reloaded`` (with the modules, in order), ``not_needed`` (none of them is loaded here),
        ``failed`` (rolled back; with module, file and line) or ``file_differs`` (nothing done).
    """
    base = {"worker": worker, "pid": os.getpid(), "generation": spec.generation}
    problems, written = check_files(spec)
    if problems:
        return WorkerOutcome(status="file_differs", files=tuple(problems), **base)
    loaded = [module for module in spec.modules if module.name in sys.modules]
    if not loaded:
        return WorkerOutcome(status="not_needed", files=tuple(written), **base)
    import ipy_reimport

    try:
        with quiet():
            report = ipy_reimport.reload_deep(*_plan_here(ipy_reimport.session(), loaded), patch=spec.patch)
    except ReloadFailed as failure:
        error = WorkerError(failure.module, failure.location.file, failure.location.line, failure.detail)
        return WorkerOutcome(status="failed", error=error, **base)
    except UsageProblem as problem:
        return WorkerOutcome(status="failed", error=WorkerError(None, None, None, str(problem)), **base)
    return WorkerOutcome(status="reloaded", modules=tuple(report.order), files=tuple(written), **base)


def _plan_here(session, loaded: list[SourceFile]) -> list[str]:
    """The modules to name here, as the kernel planned: those whose source changed, when this
    process runs the version the kernel ran before (then their dependents follow, and only what
    changed runs again); else every module the kernel changed (re-executed)."""
    session.tracker.sync()
    edited = [m for m in loaded if m.previous is not None]
    if edited and all(_runs(session, m) for m in edited):
        return [m.name for m in edited]
    return [m.name for m in loaded]


def _runs(session, module: SourceFile) -> bool:
    """Whether this process's module runs ``module.previous``; if so, record it as what ran."""
    loaded = sys.modules[module.name]
    file = source_file(loaded)
    if file is None or not runs_source(loaded, module.previous, file):
        return False
    session.sources.record(module.name, loaded, Source(file, module.previous, Stamp(-1, -1)))
    return True


def check_files(spec: ReloadSpec) -> tuple[list[FileProblem], list[FileProblem]]:
    """Compare each module's file here with the kernel's; write shipped sources where they differ.

    Returns:
        ``(problems, written)``: modules whose file is missing or differs (and could not be
        fixed), and modules whose source was written from the kernel's.
    """
    problems, written = [], []
    for module in spec.modules:
        path = _path_here(module.name)
        if module.digest is None or (path is None and module.name not in sys.modules):
            continue
        data = _read(path)
        if data is not None and hashlib.sha256(data).hexdigest() == module.digest:
            continue
        problem = (
            _ship(module, path)
            if module.source is not None
            else ("missing here" if data is None else "differs from the kernel's")
        )
        if problem is None:
            written.append(FileProblem(module.name, path, "written from the kernel's source"))
        else:
            problems.append(FileProblem(module.name, path, problem))
    return problems, written


def _path_here(name: str) -> str | None:
    """The source file ``name`` runs (or would be imported) from here, without importing it."""
    module = sys.modules.get(name)
    if module is not None:
        return source_file(module)
    spec = _find_spec(name)
    origin = getattr(spec, "origin", None)
    if spec is None or not spec.has_location or not str(origin).endswith(".py"):
        return None
    return os.path.abspath(origin)


def _find_spec(name: str):
    parent, _, _ = name.rpartition(".")
    if not parent:
        return importlib.machinery.PathFinder.find_spec(name)
    loaded = sys.modules.get(parent)
    locations = getattr(loaded, "__path__", None) if loaded is not None else None
    if locations is None:
        parent_spec = _find_spec(parent)
        locations = getattr(parent_spec, "submodule_search_locations", None)
    return importlib.machinery.PathFinder.find_spec(name, list(locations)) if locations else None


def _read(path: str | None) -> bytes | None:
    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def _ship(module: SourceFile, path: str | None) -> str | None:
    """Write the kernel's source over this worker's file; returns a problem or None."""
    if path is None:
        return "missing here, and no place to write the kernel's source"
    try:
        if module.mtime_ns is not None and os.stat(path).st_mtime_ns > module.mtime_ns:
            return "newer here than the kernel's (not overwritten)"
    except FileNotFoundError:
        pass
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temporary = f"{path}.ipy_reimport-{os.getpid()}"
        with open(temporary, "wb") as f:
            f.write(module.source or b"")
        os.replace(temporary, path)
        if module.mtime_ns is not None:
            os.utime(path, ns=(module.mtime_ns, module.mtime_ns))
        _drop_bytecode(path)
    except OSError as exc:
        return f"could not write the kernel's source: {exc}"
    return None


def _drop_bytecode(path: str) -> None:
    try:
        os.unlink(importlib.util.cache_from_source(path))
    except (OSError, NotImplementedError, ValueError):
        pass
    importlib.invalidate_caches()
