"""No edit goes unnoticed by the watcher: restarts, symlinks, directories that come and go, and
more directories than inotify allows (issue 9, point 6)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import SOURCES, run, wait_until
from ipy_reimport import ModuleState


def watching(reimporter) -> None:
    assert reimporter.watcher.running and reimporter.watcher.wait_ready(), "the watcher did not start"


def test_a_save_while_the_watcher_restarts_is_seen(ip, project, reimporter, tmp_path, monkeypatch):
    project.write("first.py", "A = 1\n")
    run(ip, "import first")
    watching(reimporter)
    second_dir = tmp_path / "second"
    second_dir.mkdir()
    (second_dir / "second.py").write_text("B = 1\n")
    monkeypatch.syspath_prepend(str(second_dir))
    real_stop = reimporter.watcher.stop

    def stop_then_save():  # the user saves exactly when no watch is in place
        real_stop()
        project.edit("first.py", "A = 1", "A = 2")

    monkeypatch.setattr(reimporter.watcher, "stop", stop_then_save)
    run(ip, "import second")  # a new directory: the watcher restarts after this cell
    monkeypatch.undo()
    watching(reimporter)
    wait_until(lambda: reimporter.tracker.own_state("first") is ModuleState.STALE, 5, "reconcile after restart")


def test_a_save_before_watching_is_switched_on_is_seen(ip, project, reimporter):
    run(ip, "%config Reimport.watch = False")
    project.write("switch.py", "A = 1\n")
    run(ip, "import switch")
    project.edit("switch.py", "A = 1", "A = 2")
    run(ip, "%config Reimport.watch = True")
    watching(reimporter)
    wait_until(lambda: reimporter.tracker.own_state("switch") is ModuleState.STALE, 5, "reconcile at start")


def test_a_module_file_edited_through_a_symlink_is_seen(ip, project, reimporter, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "real_impl.py"
    target.write_text("A = 1\n")
    os.symlink(target, project.path("linked.py"))
    run(ip, "import linked")
    watching(reimporter)
    project.write("linked.py", "A = 2\n")  # writes through the link, sets the target's mtime
    assert not project.path("linked.py").resolve() == project.path("linked.py")
    wait_until(lambda: reimporter.tracker.own_state("linked") is ModuleState.STALE, 5, "event through the link")
    assert run(ip, "%reload_deep").order == ["linked"] and run(ip, "linked.A") == 2


def test_a_package_through_a_symlinked_directory_is_seen(ip, project, reimporter, tmp_path):
    real = tmp_path / "realpkg"
    real.mkdir()
    (real / "__init__.py").write_text("")
    (real / "mod.py").write_text("A = 1\n")
    os.symlink(real, project.path("lpkg"), target_is_directory=True)
    run(ip, "import lpkg.mod")
    watching(reimporter)
    project.write("lpkg/mod.py", "A = 2\n")
    wait_until(lambda: reimporter.tracker.own_state("lpkg.mod") is ModuleState.STALE, 5, "event in linked dir")


def test_a_directory_deleted_and_recreated_is_watched_again(ip, project, reimporter):
    project.package("again", {"m": "A = 1\n"})
    baseline = os.stat(project.path("again/m.py")).st_mtime_ns
    run(ip, "import again.m")
    watching(reimporter)
    shutil.rmtree(project.path("again"))
    wait_until(lambda: reimporter.tracker.own_state("again.m") is ModuleState.MISSING, 5, "deletion event")
    project.write("again/__init__.py", "")
    project.write("again/m.py", "A = 1\n", mtime_ns=baseline)  # restored as it was: fresh
    wait_until(lambda: reimporter.tracker.own_state("again.m") is ModuleState.FRESH, 5, "re-created directory")
    project.edit("again/m.py", "A = 1", "A = 2")
    wait_until(lambda: reimporter.tracker.own_state("again.m") is ModuleState.STALE, 5, "edit in re-created dir")


def test_a_directory_moved_away_and_recreated_is_watched_again(ip, project, reimporter):
    project.package("moved", {"m": "A = 1\n"})
    run(ip, "import moved.m")
    watching(reimporter)
    project.path("moved").rename(project.path("moved_backup"))
    shutil.copytree(project.path("moved_backup"), project.path("moved"))
    project.edit("moved/m.py", "A = 1", "A = 2")
    wait_until(lambda: reimporter.tracker.own_state("moved.m") is ModuleState.STALE, 5, "edit in the new dir")


# -- more directories than inotify allows ----------------------------------------------------


def _user_namespace_with_watch_limit() -> list[str] | None:
    """A command prefix running under a fresh user namespace whose inotify watch limit is 6
    (limits are per user namespace, so this provokes the real limit without touching the
    machine's), or None when unprivileged user namespaces are not available."""
    if shutil.which("unshare") is None:
        return None
    probe = subprocess.run(
        ["unshare", "-U", "-r", "sh", "-c", "echo 6 > /proc/sys/user/max_inotify_watches"], capture_output=True
    )
    if probe.returncode != 0:
        return None
    return ["unshare", "-U", "-r", "sh", "-c", 'echo 6 > /proc/sys/user/max_inotify_watches && exec "$@"', "sh"]


def test_more_directories_than_the_watch_limit_fall_back_to_stat_scans_and_say_so(tmp_path):
    prefix = _user_namespace_with_watch_limit()
    if prefix is None:
        pytest.skip("needs unprivileged user namespaces (unshare -U) to lower the inotify limit safely")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV")}
    env["IPYTHONDIR"] = str(tmp_path / "ipython")
    out = subprocess.run(
        [*prefix, sys.executable, str(SOURCES / "watch_limit.py"), str(tmp_path / "root")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"polling": True, "state": "stale"}
    said = [line for line in out.stderr.splitlines() if "ipy_reimport" in line]
    assert len(said) == 1 and "cannot watch files (OSError: OS file watch limit reached" in said[0], out.stderr
