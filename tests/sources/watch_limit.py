"""Run by tests/test_watch_gaps.py under a user namespace whose inotify limit is 6: imports modules
from 12 directories in a real shell, edits one, and prints (as JSON) whether the tracker fell back
to polling and what state the edited module is in."""

import json
import os
import sys
import time

from IPython.core.interactiveshell import InteractiveShell

import ipy_reimport


def main(root: str) -> None:
    names = []
    for i in range(12):
        directory = os.path.join(root, f"d{i}")
        os.makedirs(directory)
        with open(os.path.join(directory, f"lim{i}.py"), "w") as f:
            f.write("A = 1\n")
        sys.path.insert(0, directory)
        names.append(f"lim{i}")
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "ipy_reimport")
    ip.run_cell("import " + ", ".join(names))
    tracker = ipy_reimport.session().tracker
    deadline = time.monotonic() + 10
    while not tracker.polling and time.monotonic() < deadline:
        time.sleep(0.01)
    ip.run_cell("pass")
    ip.run_cell("pass")
    path = os.path.join(root, "d11", "lim11.py")
    with open(path, "w") as f:
        f.write("A = 22\n")
    os.utime(path, ns=(1_650_000_000_000_000_000,) * 2)
    ip.run_cell("pass")
    print(json.dumps({"polling": tracker.polling, "state": str(tracker.own_state("lim11"))}))


if __name__ == "__main__":
    main(sys.argv[1])
