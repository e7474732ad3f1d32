"""The panel lists the worker processes after a reload: joblib's loky workers, reloaded with
the kernel, and a Pool the user started before, which cannot be reached (marked behind)."""

from __future__ import annotations

from playwright.sync_api import expect


def test_a_reload_from_the_panel_lists_the_workers_and_those_behind(loaded, project):
    lab = loaded
    lab.run_cell("import joblib, multiprocessing\n"
                 "joblib.Parallel(n_jobs=2)(joblib.delayed(pkg.base.double)(i) for i in range(8))\n"
                 "pool = multiprocessing.get_context('spawn').Pool(1)")
    project.edit("pkg/base.py", "return 2 * x", "return 3 * x")
    lab.panel.expect_state("pkg.base", "stale")

    lab.panel.row_button("pkg.base", "reload").click()

    lab.panel.expect_state("pkg.base", "fresh")
    workers = lab.panel.root.locator('[data-role="workers"]')
    loky = workers.locator('[data-engine="loky"]')
    expect(loky).to_have_attribute("data-behind", "0")
    expect(loky).to_contain_text("current, 0 behind")
    others = workers.locator('[data-engine="processes"]')
    expect(others).to_have_attribute("data-behind", "1")
    expect(others).to_contain_text("1 other worker process cannot be reached")
    expect(others.locator("li")).to_contain_text("SpawnPoolWorker")
    expect(lab.panel.result()).to_contain_text("1 worker is behind")
    lab.shot("workers")

    cell = lab.run_cell("print(sorted(set(joblib.Parallel(n_jobs=2)(joblib.delayed(pkg.base.double)(1) "
                        "for i in range(8)))))\npool.terminate()")
    expect(lab.output(cell)).to_contain_text("[3]")
    lab.assert_no_panel_errors()
