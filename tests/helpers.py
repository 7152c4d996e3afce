"""Small helpers shared by the test modules (paths and notebook reading)."""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def source(cell: dict) -> str:
    return "".join(cell["source"])


def setup_source(nb_or_path) -> str:
    """The source of a notebook's setup cell (the code cell that names ``REPO_URL``)."""
    nb = load(nb_or_path) if isinstance(nb_or_path, (str, Path)) else nb_or_path
    return next(source(c) for c in nb["cells"]
                if c["cell_type"] == "code" and "REPO_URL" in source(c))


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str, token: str):
    import urllib.request

    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


class LabServer:
    """``python -m utils lab`` (what ``make lab`` runs) as the current user, on a free port
    with a fresh token given through Jupyter's own JUPYTER_PORT / JUPYTER_TOKEN variables,
    serving ``notebooks/`` or another ``root``.  Use as a context manager; ``base``,
    ``token`` and ``log`` describe the running server."""

    def __init__(self, log: Path, root: Path | None = None, **env: str):
        import secrets

        self.port, self.token, self.log = free_port(), secrets.token_hex(16), Path(log)
        self.args = [f"--ServerApp.root_dir={root}"] if root else []
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {"JUPYTER_PORT": str(self.port), "JUPYTER_TOKEN": self.token,
                    "JUPYTER_PORT_RETRIES": "0", "BROWSER": "", **env}

    def __enter__(self) -> "LabServer":
        import os
        import subprocess
        import sys
        import time

        with open(self.log, "w") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "utils", "lab", *self.args],
                                         cwd=REPO,
                                         env={**os.environ, **self.env}, stdout=out,
                                         stderr=subprocess.STDOUT)
        for _ in range(240):
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited ({self.proc.returncode}): "
                                   f"{self.log.read_text()[-3000:]}")
            try:
                http_get(f"{self.base}/api/status", self.token)
                return self
            except OSError:
                time.sleep(0.5)
        self.__exit__()
        raise RuntimeError(f"no answer on {self.base}: {self.log.read_text()[-3000:]}")

    def __exit__(self, *exc) -> None:
        import subprocess

        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def course_copy(folder: Path) -> Path:
    """A throw-away copy of the course to run notebooks in a browser without touching the
    committed ones (JupyterLab autosaves outputs): ``folder/notebooks/`` holds copies of the
    lessons, ``folder/utils`` links to the real package.  Returns the notebooks folder."""
    import shutil

    (folder / "notebooks").mkdir(parents=True)
    for path in NOTEBOOKS:
        shutil.copy(path, folder / "notebooks" / path.name)
    (folder / "utils").symlink_to(REPO / "utils", target_is_directory=True)
    return folder / "notebooks"


#: The system's Chromium, which the browser tests drive (Playwright never downloads one).
CHROMIUM = os.environ.get("DLB_CHROMIUM", "/usr/bin/chromium")

#: Chromium as the probe of this kind of machine starts it: no sandbox (root in containers),
#: no background connections (closed network), a fresh profile.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

#: Seek an HTML5 video to its start and to three quarters: its size, and how many pixels are
#: lit in the first frame and changed between the two.
STEP_VIDEO = """async (video) => {
  // Chromium may report 'seeked' before the new frame reaches drawImage: after a seek the
  // picture is read again (every 100 ms, up to 5 s) until it differs from the first frame.
  // A pixel counts as changed when it moved by more than the codec's noise on a still video.
  const frame = () => { const c = document.createElement('canvas');
    c.width = video.videoWidth; c.height = video.videoHeight;
    const g = c.getContext('2d'); g.drawImage(video, 0, 0, c.width, c.height);
    return g.getImageData(0, 0, c.width, c.height).data; };
  const seek = (t) => new Promise((ok) => { video.addEventListener('seeked', ok, {once: true});
    video.currentTime = t; });
  const wait = (ms) => new Promise((ok) => setTimeout(ok, ms));
  video.pause();
  await seek(0);
  await wait(200);
  const first = frame();
  let lit = 0;
  for (let i = 0; i < first.length; i += 4) if (first[i] + first[i + 1] + first[i + 2] > 30) lit++;
  await seek(video.duration * 0.75);
  let changed = 0;
  for (let tries = 0; tries < 50 && changed === 0; tries++) {
    if (tries) await wait(100);
    const later = frame();
    for (let i = 0; i < first.length; i += 4)
      if (Math.abs(first[i] - later[i]) + Math.abs(first[i + 1] - later[i + 1]) > 48) changed++; }
  return {width: video.videoWidth, height: video.videoHeight, duration: video.duration,
          changed: changed, lit: lit};
}"""


@contextmanager
def serve(folder: Path):
    """A plain HTTP server on 127.0.0.1 for ``folder`` (no network involved): its base URL."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def check_animations(page, videos, stem: str, shots: Path) -> None:
    """Every animation (an HTML5 video) of a lesson's page has decoded a first frame that is
    not blank and changes when stepped; each one's screenshot goes to ``shots``.  Lessons 02
    and 07 must have at least one."""
    if stem[:2] in ("02", "07"):
        assert videos.count() >= 1, "this lesson shows an animation"
    for i in range(videos.count()):
        video = videos.nth(i)
        video.scroll_into_view_if_needed()
        page.wait_for_function("(v) => v.readyState >= 2", arg=video.element_handle(),
                               timeout=60_000)
        video.screenshot(path=str(shots / f"{stem}_animation{i}.png"))
        seen = video.evaluate(STEP_VIDEO)
        assert seen["width"] > 0 and seen["height"] > 0, seen
        assert seen["lit"] > 0, f"the first frame is blank: {seen}"
        assert seen["changed"] > 0, f"stepping the animation did not change the picture: {seen}"


#: The last cell of every lesson: the results again, with the claims the solutions checked.
LAST_CELL = "run.save()  # again, with the claims the solutions checked"


def lesson_notebook(stem: str = "01_synthetic", exercises: int = 3, markdown_solutions=True,
                    outputs: bool = False):
    """A minimal lesson in the course's layout (nbformat, valid and clean unless ``outputs``):
    title, setup cell, parameters (``SOLUTIONS = True``), one lesson cell, key takeaways, the
    results cell, "What to try next" and ``exercises`` exercises, each followed by a code
    solution (the first defines a function with a docstring) and, if ``markdown_solutions``,
    a markdown one; then the last cell ``LAST_CELL``.  ``outputs`` gives every code cell a
    stream output and an execution count (an executed copy, as the site reads them)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    def code(src, *tags):
        cell = new_code_cell(src)
        if tags:
            cell.metadata["tags"] = list(tags)
        return cell

    def md(src, *tags):
        cell = new_markdown_cell(src)
        if tags:
            cell.metadata["tags"] = list(tags)
        return cell

    cells = [
        md(f"# {stem[:2]} · A synthetic lesson\nIt squares numbers."),
        code('REPO_URL = "https://github.com/deep-learning-basics/deep-learning-basics"\n'
             "import utils"),
        md("## Parameters"),
        code("SMOKE = utils.smoke_from_env()\nSEED = 42\nTRAIN = True\n"
             "SOLUTIONS = True         # run the worked solutions after each exercise", "parameters"),
        code(f'run = utils.start_run("{stem}", smoke=SMOKE)'),
        code("def square(x):\n    return x * x\n\nprint(square(3))"),
        md("## Key takeaways\n- Squaring doubles the exponent.\n- Baselines first.\n"
           "- Claims come from the run."),
        code('run.save({\n    "nine": square(3),\n})'),
        md("## What to try next\nEach exercise is followed by a worked solution: try it yourself "
           "first. The solutions run when `SOLUTIONS` is True."),
    ]
    for k in range(1, exercises + 1):
        cells.append(md(f"### Exercise {k}: Powers of {k}\nWrite a function for power {k}."))
        if k == 1:
            cells.append(code('if SOLUTIONS:\n    def power(x, n=1):\n        """x to the n."""\n'
                              "        return x ** n\n\n    print(power(2, 3))\n"
                              '    run.claim("two cubed is eight", power(2, 3) == 8)',
                              "solution"))
        else:
            cells.append(code(f"if SOLUTIONS:\n    print(square({k}) + {k})", "solution"))
        if markdown_solutions:
            cells.append(md(f"The solution prints {k} squared plus {k}.", "solution"))
    cells.append(code(LAST_CELL))
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (Deep Learning Basics)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"}})
    if outputs:
        for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
            cell.execution_count = i + 1
            cell.outputs = [new_output("stream", name="stdout", text=f"output of cell {i + 1}\n")]
    nbformat.validate(nb)
    return nb
