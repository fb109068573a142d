"""Layout of the staff, partner and error pages on a desk (1280 × 800) and a phone (390 × 844).

Headless Chromium with JavaScript off (these pages are meant to work without
it) opens each page of meldpunt.operations.screens and measures it: nothing may
make the page scroll sideways, stick out to the right, cover the main heading,
or leave a form control out of reach (invisible, off the screen, or without a
label a screen reader can say). Playwright's own evaluation still runs with the
page's scripts disabled, which is how the measuring is done.

The second test runs ``meldpunt screenshots`` as an operator would, into a
temporary directory, and checks that the pictures are there and the right size.
"""

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from meldpunt.lines.models import Line, LineKind
from meldpunt.network.tests.factories import make_partner
from meldpunt.operations.screens import (
    SIZES,
    Screen,
    screen_open,
    screens_data_create,
    staff_sign_in,
)
from meldpunt.testing import PASSWORD, current_totp
from meldpunt.vault.models import Role, StaffUser

pytestmark = pytest.mark.browser

# Every problem as a sentence naming the element, so that one run lists them all.
LAYOUT_PROBLEMS = """
() => {
  const width = window.innerWidth;
  const problems = [];
  const describe = (e) => {
    let text = e.tagName.toLowerCase();
    if (e.id) text += "#" + e.id;
    if (e.name) text += "[name=" + e.name + "]";
    if (e.className && typeof e.className === "string") {
      text += "." + e.className.trim().split(/\\s+/).join(".");
    }
    return text;
  };
  const shown = (e) => {
    const style = getComputedStyle(e);
    const box = e.getBoundingClientRect();
    return style.visibility !== "hidden" && style.display !== "none" &&
      box.width > 0 && box.height > 0;
  };
  // An element inside a box that scrolls or clips sideways does not widen the page.
  const clipped = (e) => {
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(a).overflowX)) return true;
    }
    return false;
  };
  // Closed <details> hold controls one click away; open them to measure those too.
  document.querySelectorAll("details").forEach((d) => { d.open = true; });

  if (document.documentElement.scrollWidth > width + 1) {
    problems.push("the page scrolls sideways: " + document.documentElement.scrollWidth + "px wide");
  }
  const sticksOut = (e) => shown(e) && !clipped(e) &&
    e.getBoundingClientRect().right + window.scrollX > width + 1;
  for (const e of document.body.querySelectorAll("*")) {
    // Name the outermost element only: its contents stick out with it.
    if (sticksOut(e) && !sticksOut(e.parentElement)) {
      const box = e.getBoundingClientRect();
      problems.push(describe(e) + " sticks out to the right (" + Math.round(box.right) + "px)");
    } else if (shown(e) && !clipped(e) && getComputedStyle(e).overflowX === "visible" &&
               e.scrollWidth > e.clientWidth + 1 && e.getBoundingClientRect().left +
               e.scrollWidth + window.scrollX > width + 1) {
      // Its box fits, but what it holds (a long word, a wide child) runs out of it.
      problems.push(describe(e) + "'s content runs out to the right (" + e.scrollWidth + "px)");
    }
  }

  const heading = document.querySelector("#main h1");
  if (!heading) {
    problems.push("no main heading (#main h1)");
  } else {
    heading.scrollIntoView({block: "center"});
    const range = document.createRange();
    range.selectNodeContents(heading);
    for (const line of range.getClientRects()) {
      const x = line.left + line.width / 2, y = line.top + line.height / 2;
      const hit = document.elementFromPoint(x, y);
      if (hit && hit !== heading && !heading.contains(hit)) {
        problems.push(describe(hit) + " covers the main heading");
      }
    }
  }

  const controls = document.querySelectorAll(
    "#main input:not([type=hidden]), #main select, #main textarea, #main button"
  );
  for (const control of controls) {
    const box = control.getBoundingClientRect();
    if (!shown(control)) {
      problems.push(describe(control) + " is not visible");
      continue;
    }
    const right = box.right + window.scrollX;
    if (box.left + window.scrollX < -1 || (!clipped(control) && right > width + 1)) {
      problems.push(describe(control) + " is off the screen");
    }
    const named = control.matches("button, input[type=submit], input[type=button]")
      ? (control.textContent || control.value || "").trim() || control.getAttribute("aria-label")
      : control.labels.length > 0 || control.getAttribute("aria-label") ||
        control.getAttribute("aria-labelledby") || control.getAttribute("title");
    if (!named) problems.push(describe(control) + " has no label");
  }
  return problems;
}
"""


def _problems(page, screen: Screen, base: str, size: str) -> list[str]:
    status = screen_open(page, base, screen)
    where = f"{screen.name} at {size}"
    if status != screen.status:
        return [f"{where}: HTTP {status}, expected {screen.status}"]
    return [f"{where}: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", list(SIZES))
def test_staff_partner_and_error_pages_fit_the_screen_without_javascript(
    size, demo_lines, live_server, no_js_context
):
    analyst = StaffUser.objects.get(role=Role.ANALYST)
    tips_lines = list(Line.objects.filter(kind=LineKind.TIPS))
    partner = make_partner(lines=tips_lines)
    officer = partner.memberships.get().user
    screens = screens_data_create(analyst=analyst, password=PASSWORD, partner=partner)
    width, height = SIZES[size]
    base = live_server.url
    pages = {}
    for viewer, user in (("analyst", analyst), ("partner", officer), ("nobody", None)):
        pages[viewer] = no_js_context(
            locale="nl-NL", viewport={"width": width, "height": height}
        ).new_page()
        if user is not None:
            staff_sign_in(
                pages[viewer],
                base,
                username=user.username,
                password=PASSWORD,
                code=current_totp(user),
            )

    problems = [
        problem
        for screen in screens
        for problem in _problems(pages[screen.viewer], screen, base, size)
    ]
    assert not problems, "\n".join(problems)


def _meldpunt(*arguments: str, data_dir: Path) -> subprocess.CompletedProcess:
    """The installed console script, as an operator runs it in the installation at ``data_dir``.

    In a session of its own, so that a run that does not finish is ended with everything
    it started (the browser among them) and the test fails within the suite's time
    limit, instead of waiting for ever on output pipes the browser still holds.
    """
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    env["MELDPUNT_DATA_DIR"] = str(data_dir)
    command = [str(Path(sys.executable).parent / "meldpunt"), *arguments]
    process = subprocess.Popen(  # noqa: S603 - our own console script
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        out, err = process.communicate(timeout=270)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        pytest.fail(f"meldpunt {arguments[0]} did not finish in 270 s:\n{out[-3000:]}{err[-3000:]}")
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def test_screenshots_command_saves_every_page_at_both_sizes(browser, tmp_path):
    target = tmp_path / "screens"
    installation = tmp_path / "installation"
    throw_aways_before = set(Path(tempfile.gettempdir()).glob("meldpunt-screens-*"))
    finished = _meldpunt("screenshots", str(target), data_dir=installation)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    # The demo was set up elsewhere, and that place is gone again.
    assert not (installation / "meldpunt.sqlite3").exists()
    assert set(Path(tempfile.gettempdir()).glob("meldpunt-screens-*")) == throw_aways_before

    expected = {
        f"{name}-{size}-{width}x{height}.png"
        for name in (
            "queue",
            "case",
            "forward",
            "hotline",
            "partner",
            "partner-forward",
            "not-found",
            "forbidden",
        )
        for size, (width, height) in SIZES.items()
    }
    assert {path.name for path in target.iterdir()} == expected
    for path in target.iterdir():
        width, height = SIZES[path.name.split("-")[-2]]
        with Image.open(path) as picture:
            picture.load()  # decodes the whole image, not only the header
            assert picture.format == "PNG"
            assert picture.width == width, path.name
            # Full page: at least the window, longer where the page is.
            assert picture.height >= height, path.name
    assert str(target / "queue-phone-390x844.png") in finished.stdout


def test_screenshots_command_refuses_a_file_as_directory(browser, tmp_path):
    occupied = tmp_path / "not-a-directory"
    occupied.write_text("x")
    finished = _meldpunt("screenshots", str(occupied), data_dir=tmp_path / "installation")
    assert finished.returncode == 1
    assert f"{occupied} exists and is not a directory." in finished.stderr
    assert "Traceback" not in finished.stderr
