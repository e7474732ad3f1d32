"""The public functions in a plain Python process: no IPython shell, no extension loaded."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_api_works_without_ipython(project):
    project.package("plain", {"base": "V = 1\n", "use": "from .base import V\n"})
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(project.root)!r})
        import ipy_reimport
        use = ipy_reimport.import_rel(".use", package="plain")
        path = {str(project.path("plain/base.py"))!r}
        with open(path, "w") as f:
            f.write("V = 2\\n")
        os.utime(path, ns=(1_700_000_000 * 10**9,) * 2)
        states = {{s.name: s.state.value for s in ipy_reimport.status()}}
        print(states["plain.base"], states["plain.use"])
        report = ipy_reimport.reload_deep()
        print(report.order, use.V, "IPython.core.interactiveshell" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["stale dependent", "['plain.base', 'plain.use'] 2 False"]
