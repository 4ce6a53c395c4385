"""What only a browser shows: widgets that render, move and redraw, nbgrader's buttons and pages.

Debian's Chromium (``apt install chromium``; `make test` installs it as root) is driven by
Playwright, against a JupyterLab this test starts on a temporary copy of the released
notebooks. Screenshots of every step are written to tests/_output/browser/.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from autograder.course import REPO_ROOT
from autograder.samples import with_answers
from tests.lab_server import running_lab

CHROMIUM = Path("/usr/bin/chromium")
#: how long any one wait may take: every wait is on a real condition (kernel idle, a widget in
#: the page, an image redrawn), and this bounds it on a loaded 2-core machine, where the
#: cells before a widget take minutes (`make test-busy` runs these tests beside two spinners)
BUDGET_S = 600
SHOTS = REPO_ROOT / "tests" / "_output" / "browser"
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),  # one JupyterLab and one Chromium for the module
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Chromium not installed (apt install chromium)"
    ),
]


#: notebooks whose widget needs the student's answers (filled in from the solution)
ANSWERED = (
    "01_least_squares/01_least_squares.ipynb",
    "06_optimizers/06_optimizers.ipynb",
    "11_autoencoders/11_autoencoders.ipynb",
)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab-root")
    shutil.copytree(REPO_ROOT / "notebooks", root / "notebooks")
    shutil.copy2(REPO_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    # the widgets of 01, 06 and 11 run the student's own functions (descent with their
    # loss_and_gradient, their update rules, their VAE loss): play a student who has written
    # them (the release with the solution's answers filled in)
    for notebook in ANSWERED:
        done = root / "notebooks" / notebook
        if done.exists():
            release = nbformat.read(done, as_version=4)
            solution = nbformat.read(REPO_ROOT / "solutions" / notebook, as_version=4)
            nbformat.write(with_answers(release, solution), done)
    home = tmp_path_factory.mktemp("jupyter-home")
    settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # every cell in the DOM, so a test can find the one it needs by its position
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    with running_lab(root, root / "course", home) as (base, token):
        yield base, token


@pytest.fixture(scope="module")  # closed with the module: a later test in this worker (one of
def browser(tmp_path_factory):  # test_grading_samples) may start Playwright's sync API again
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            args=FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        context.set_default_timeout(BUDGET_S * 1000)
        yield context
        context.close()


def _cell_index(path: Path, marker: str) -> int:
    cells = nbformat.read(path, as_version=4).cells
    return next(i for i, c in enumerate(cells) if c.cell_type == "code" and marker in c.source)


#: true when the page's notebook kernel is connected and idle: the page's own view, which
#: lags the server's (key presses sent before the page is connected are lost)
PAGE_KERNEL_IDLE = """() => {
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
    && widget.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === "connected" && kernel.status === "idle";
}"""


def _open_notebook(browser, lab, relative: str):
    base, token = lab
    page = browser.new_page()
    # a workspace of its own: the server remembers open tabs, which would hide this one
    workspace = Path(relative).stem.replace("_", "-")
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{relative}?token={token}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.wait_for_function(PAGE_KERNEL_IDLE)
    return page


#: run cell i of the open notebook, as Run > Run Selected Cell does (not waiting for it)
RUN_CELL = """i => {
  const app = window.jupyterapp;
  app.shell.currentWidget.content.activeCellIndex = i;
  app.commands.execute("notebook:run-cell");
}"""
#: true once cell i has run (a code cell shows its execution count) and the kernel is idle
CELL_DONE = """i => {
  const notebook = window.jupyterapp.shell.currentWidget;
  const model = notebook.content.widgets[i].model;
  const kernel = notebook.sessionContext.session.kernel;
  return (model.type !== "code" || model.executionCount !== null) && kernel.status === "idle";
}"""


def _run_cells_through(page, last: int) -> None:
    """Run cells 0 … ``last`` one at a time, each after the previous has finished.

    One at a time, because the kernel aborts whatever is queued behind a failing cell (the
    stubs fail): cells queued by fast key presses would be lost or not depending on how busy
    the machine is.
    """
    for index in range(last + 1):
        page.evaluate(RUN_CELL, index)
        page.wait_for_function(CELL_DONE, arg=index)
    page.locator(".jp-Notebook .jp-Cell").nth(last).scroll_into_view_if_needed()


def _settled_screenshot(page, image) -> bytes:
    """A screenshot of ``image`` (a locator of a cell's last plot) once redraws stop landing.

    The kernel's idle message is not the end: the widget manager applies each model's updates
    on a promise chain of its own, so a queued redraw may still replace the image element
    (a screenshot of a detached element fails). Settled: the kernel idle and the image's
    source unchanged for one second; a redraw under the screenshot makes it look again.
    """
    for _ in range(10):
        page.wait_for_function(PAGE_KERNEL_IDLE)
        src = image.get_attribute("src")
        page.wait_for_timeout(1000)
        if image.get_attribute("src") != src:
            continue
        try:
            return image.screenshot()
        except Exception as exc:  # replaced while the screenshot was taken
            if "not attached" not in str(exc):
                raise
    raise AssertionError("the plot kept being redrawn for ten rounds")


def _move_slider_and_compare(page, cell, name: str) -> None:
    slider = cell.locator(".jupyter-widgets .noUi-handle").first
    try:
        slider.wait_for()
    except Exception:
        page.screenshot(path=SHOTS / f"{name}_0_no_slider.png", full_page=True)
        cell.screenshot(path=SHOTS / f"{name}_0_cell.png")
        raise
    image = cell.locator(".jupyter-widgets img, .jp-OutputArea-output img").last
    image.wait_for()
    readout = cell.locator(".widget-readout").first
    before_value, before_image = readout.inner_text(), image.screenshot()
    before_src = image.get_attribute("src")
    cell.screenshot(path=SHOTS / f"{name}_1_before.png")
    slider.focus()
    for _ in range(12):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([el, old]) => el.innerText !== old", arg=[readout.element_handle(), before_value]
    )
    # the kernel redraws: wait for an image with new data, however long the kernel takes
    page.wait_for_function(
        "([cell, old]) => { const imgs = cell.querySelectorAll("
        "'.jupyter-widgets img, .jp-OutputArea-output img');"
        " return imgs.length > 0 && imgs[imgs.length - 1].src !== old; }",
        arg=[cell.element_handle(), before_src],
    )
    # each key press was a change: let every queued redraw land before looking (a redraw
    # replaces the image element under a screenshot that is still being taken)
    after_image = _settled_screenshot(page, image)
    cell.screenshot(path=SHOTS / f"{name}_2_after.png")
    assert readout.inner_text() != before_value
    assert after_image != before_image, f"{name}: the plot did not change"


def _click_toggle_and_compare(page, cell, name: str, label: str) -> None:
    """Click the toggle button ``label`` and wait until the kernel has redrawn the plot."""
    image = cell.locator(".jupyter-widgets img, .jp-OutputArea-output img").last
    status = cell.locator(".widget-html-content").first
    before_image = _settled_screenshot(page, image)  # the slider's redraws have all landed
    before_status = status.inner_text()
    before_src = image.get_attribute("src")
    cell.locator(".widget-toggle-button", has_text=label).click()
    page.wait_for_function(
        "([cell, old]) => { const imgs = cell.querySelectorAll("
        "'.jupyter-widgets img, .jp-OutputArea-output img');"
        " const img = imgs[imgs.length - 1];"
        " return !!img && img.src !== old && img.complete && img.naturalWidth > 0; }",
        arg=[cell.element_handle(), before_src],
    )
    # the status line ends with the variant's note (its condition number): wait for the new
    # variant's. The widget manager applies each model's updates on a promise chain of its
    # own, so the text may land after the image and after the kernel's idle message (and a
    # slider redraw still landing changes the text but not the note). A timeout fails.
    old_note = before_status.split("·")[-1].strip()
    try:
        page.wait_for_function(
            "([el, old]) => el.innerText.split('·').pop().trim() !== old",
            arg=[status.element_handle(), old_note],
        )
    except Exception as exc:
        raise AssertionError(f"{name}: the variant's note did not change: {old_note!r}") from exc
    assert _settled_screenshot(page, image) != before_image, f"{name}: the plot did not change"
    cell.screenshot(path=SHOTS / f"{name}_3_toggled.png")


@pytest.mark.parametrize(
    ("notebook", "marker", "name", "toggle"),
    [
        ("03_softmax/03_softmax.ipynb", "temperature_widget(", "softmax_temperature", None),
        (
            "01_least_squares/01_least_squares.ipynb",
            "learning_rate_widget(",
            "least_squares_lr",
            "centred area",
        ),
        ("06_optimizers/06_optimizers.ipynb", "OptimizerRace(", "optimizer_race", None),
        ("11_autoencoders/11_autoencoders.ipynb", "beta_widget(", "beta_vae_latents", None),
    ],
)
def test_widget_slider_renders_moves_and_redraws(browser, lab, notebook, marker, name, toggle):
    path = REPO_ROOT / "notebooks" / notebook
    if not path.exists():
        pytest.fail(f"{notebook} is not released")
    index = _cell_index(path, marker)
    page = _open_notebook(browser, lab, f"notebooks/{notebook}")
    _run_cells_through(page, index)
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    _move_slider_and_compare(page, cell, name)
    if toggle:  # 01: raw / centred / standardised feature
        _click_toggle_and_compare(page, cell, name, toggle)
    page.close()


def test_validate_button_reports_failing_tests(browser, lab):
    page = _open_notebook(browser, lab, "notebooks/00_getting_started/00_getting_started.ipynb")
    page.screenshot(path=SHOTS / "validate_1_notebook.png")
    page.get_by_role("button", name="Validate").first.click()
    # a sign of life while the notebook runs (tens of seconds on a busy machine)
    busy = page.locator(".validate-button").get_by_text("Validating...")
    busy.wait_for(timeout=60_000)
    page.screenshot(path=SHOTS / "validate_1b_running.png")
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for()
    dialog.get_by_text("failed", exact=False).first.wait_for()
    page.screenshot(path=SHOTS / "validate_2_result.png")
    assert "NotImplementedError" in dialog.inner_text()
    page.close()


def test_formgrader_lists_the_course_assignments(browser, lab):
    base, token = lab
    page = browser.new_page()
    page.goto(f"{base}/formgrader?token={token}")
    row = page.locator("#main-table").get_by_text("00_getting_started").first
    row.wait_for()
    page.screenshot(path=SHOTS / "formgrader_assignments.png")
    for name in (p.name for p in sorted((REPO_ROOT / "solutions").iterdir()) if p.is_dir()):
        assert page.locator("#main-table").get_by_text(name).count() >= 1, name
    page.close()
