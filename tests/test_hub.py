"""The class on a real JupyterHub (deploy/jupyterhub/), with real Unix users, as root.

An instructor and two students are created as Unix users; the hub (JupyterHub from the
lock, configurable-http-proxy from deploy/jupyterhub/proxy) starts on 127.0.0.1 with the
course's config. The instructor releases 00 to the exchange; each student logs in through
PAM, gets a server spawned by the hub, fetches the assignment and submits it through
nbgrader's lab-extension endpoints (one right, one wrong); the instructor collects, grades
and releases feedback; each student fetches their own. Then: formgrader (a hub service)
shows the grades to the instructor only, no student can read the other's work or the
exchange's inbound folder, and nothing listens beyond 127.0.0.1. A third student does it
all in Chromium: logs in on the hub's page, fetches and submits in the Assignments tab. The
hub, its proxy and the users' servers are stopped and the users removed at the end, whatever
happened.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from autograder.course import COURSE_ID, REPO_ROOT
from autograder.samples import with_answers
from tests.lab_server import free_port

ASSIGNMENT = "00_getting_started"
HUB = REPO_ROOT / "deploy" / "jupyterhub"
PROXY = HUB / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
BIN = Path(sys.executable).parent
pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("hub"),
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root: creates Unix users, PAM logins"),
    pytest.mark.skipif(shutil.which("useradd") is None, reason="no useradd on this system"),
]


def _sh(*command: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    if check and done.returncode != 0:
        raise AssertionError(f"{command}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


def _as_user(user: str, env: dict, *command: str, check: bool = True):
    """Run ``command`` as ``user`` (runuser), with a plain environment plus ``env``."""
    home = pwd.getpwnam(user).pw_dir
    base = {"HOME": home, "USER": user, "PATH": f"{BIN}:/usr/bin:/bin", "LANG": "C.UTF-8"}
    assignments = [f"{k}={v}" for k, v in {**base, **env}.items()]
    return _sh(
        "runuser", "-u", user, "--", "env", "-i", *assignments, *command, check=check, cwd=home
    )


class Users:
    """Unix users made for the test, removed (with their processes and homes) at the end."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def add(self, name: str, password: str) -> str:
        _sh("useradd", "--create-home", "--shell", "/bin/bash", name)
        self.names.append(name)
        os.chmod(pwd.getpwnam(name).pw_dir, 0o700)
        _sh("chpasswd", input=f"{name}:{password}\n")
        return name

    def remove(self) -> None:
        import psutil

        for name in self.names:
            for proc in psutil.process_iter(["pid", "username"]):
                if proc.info["username"] == name:
                    try:
                        proc.kill()
                    except psutil.NoSuchProcess:
                        pass
            _sh("userdel", "--remove", name, check=False)


def _let_users_run(executable: Path) -> list[tuple[Path, int]]:
    """Give others search (x) permission on each folder above the real interpreter that
    lacks it (pyenv's Python under /root, say); return what to restore. A server for a
    class installs its environment where every user can run it (README)."""
    changed = []
    for folder in Path(os.path.realpath(executable)).parents:
        mode = folder.stat().st_mode & 0o7777
        if not mode & 0o001:
            os.chmod(folder, mode | 0o001)
            changed.append((folder, mode))
    return changed


@pytest.fixture(scope="module")
def classroom():
    """Users, a course directory and exchange, a running hub; everything undone after."""
    if not PROXY.exists():
        pytest.fail(f"{PROXY} missing: run `make hub-setup` (npm installs it into the repo)")
    tag = secrets.token_hex(2)
    users, password = Users(), secrets.token_urlsafe(12)
    base = Path(tempfile.mkdtemp(prefix="course-hub-", dir="/tmp"))
    hub, opened = None, _let_users_run(BIN / "python")
    try:
        os.chmod(base, 0o711)
        teacher = users.add(f"ck{tag}t", password)
        alice, bob = users.add(f"ck{tag}a", password), users.add(f"ck{tag}b", password)
        carol = users.add(f"ck{tag}c", password)  # the one who uses the browser
        exchange, state = base / "exchange", base / "state"
        exchange.mkdir(mode=0o777)
        os.chmod(exchange, 0o1777)
        state.mkdir(mode=0o700)
        course = Path(pwd.getpwnam(teacher).pw_dir) / "course"
        env = {"COURSE_DIR": str(course), "COURSE_EXCHANGE": str(exchange)}
        instructor = lambda *args: _as_user(  # noqa: E731
            teacher, env, str(BIN / "python"), "-m", "autograder", *args
        )
        instructor("exchange", "release", ASSIGNMENT)
        port = _free_block()
        hub_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "COURSE"))},
            **env,
            "COURSE_INSTRUCTOR": teacher,
            "COURSE_STUDENTS": f"{alice},{bob},{carol}",
            "COURSE_HUB_STATE": str(state),
            "COURSE_HUB_PORT": str(port),
            "COURSE_IDLE_MINUTES": "30",
        }
        log = open(state / "hub.log", "wb")
        hub = subprocess.Popen(
            [str(BIN / "jupyterhub"), "-f", str(HUB / "jupyterhub_config.py")],
            cwd=state, env=hub_env, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        _wait_for(lambda: _status(f"{url}/hub/api/") == 200, 180, hub, state / "hub.log")
        yield {
            "url": url, "password": password, "teacher": teacher, "alice": alice, "bob": bob,
            "carol": carol,
            "exchange": exchange, "course": course, "instructor": instructor, "hub": hub,
            "log": state / "hub.log",
        }  # fmt: skip
    finally:
        if hub is not None:
            _stop(hub)
        users.remove()
        shutil.rmtree(base, ignore_errors=True)
        for folder, mode in opened:
            os.chmod(folder, mode)


def _free_block() -> int:
    """A port p with p..p+3 free (proxy, proxy API, hub, formgrader)."""
    for _ in range(50):
        port = free_port()
        if port < 65000 and all(_port_free(port + i) for i in range(4)):
            return port
    raise RuntimeError("no block of four free ports")


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _status(url: str) -> int:
    import requests

    try:
        return requests.get(url, timeout=5).status_code
    except requests.RequestException:
        return 0


def _wait_for(condition, seconds: float, process=None, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and process.poll() is not None:
            break
        time.sleep(1)
    tail = log.read_text(errors="replace")[-4000:] if log else ""
    raise TimeoutError(f"not ready after {seconds} s:\n{tail}")


def _stop(hub: subprocess.Popen) -> None:
    """SIGTERM: JupyterHub stops the users' servers, its services and the proxy."""
    try:
        os.killpg(hub.pid, signal.SIGTERM)
        hub.wait(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(hub.pid, signal.SIGKILL)
        hub.wait()
    except ProcessLookupError:
        pass


class Person:
    """A user who logged in through the hub's PAM login form and holds an API token."""

    def __init__(self, room: dict, name: str) -> None:
        import requests

        self.room, self.name, self.url = room, name, room["url"]
        session = requests.Session()
        session.get(f"{self.url}/hub/login", timeout=30)
        xsrf = session.cookies.get("_xsrf")
        form = {"username": name, "password": room["password"], "_xsrf": xsrf}
        # not following the redirect: the hub's home page would spawn the server by itself
        answer = session.post(f"{self.url}/hub/login", data=form, timeout=60, allow_redirects=False)
        assert answer.status_code == 302, answer.text[-500:]  # a failed login answers 403
        made = session.post(
            f"{self.url}/hub/api/users/{name}/tokens",
            json={"note": "course test", "expires_in": 3600},
            headers={"X-XSRFToken": session.cookies.get("_xsrf") or xsrf},
            timeout=30,
        )
        assert made.status_code in (200, 201), made.text
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"token {made.json()['token']}"

    def spawn(self) -> None:
        started = self.http.post(f"{self.url}/hub/api/users/{self.name}/server", timeout=60)
        assert started.status_code in (201, 202), started.text

        def ready() -> bool:
            user = self.http.get(f"{self.url}/hub/api/users/{self.name}", timeout=30).json()
            return bool(user.get("servers", {}).get("", {}).get("ready"))

        _wait_for(ready, 300, self.room["hub"], self.room["log"])

    def server(self, method: str, path: str, **kwargs):
        return self.http.request(
            method, f"{self.url}/user/{self.name}/{path}", timeout=300, **kwargs
        )

    def nbgrader(self, action: str) -> list:
        query = {"course_id": COURSE_ID, "assignment_id": ASSIGNMENT}
        answer = self.server("POST", f"assignments/{action}", params=query)
        assert answer.status_code == 200, answer.text
        return answer.json()


def _filled(nb, right: bool):
    solution = nbformat.read(REPO_ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    if right:
        return with_answers(nb, solution)
    for cell in nb.cells:  # a wrong answer: every function returns None
        if cell.cell_type == "code" and "raise NotImplementedError(" in cell.source:
            lines = cell.source.split("\n")
            cell.source = "\n".join(
                line.split("raise")[0] + "return None" if "raise NotImplementedError(" in line
                else line
                for line in lines
            )  # fmt: skip
    return nb


def test_a_class_runs_on_the_hub(classroom):
    room = classroom
    students = {room["alice"]: True, room["bob"]: False}  # right, wrong
    people = {name: Person(room, name) for name in students}
    path = f"api/contents/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    for name, right in students.items():
        person = people[name]
        person.spawn()
        # students have no formgrader
        assert person.server("GET", "formgrader").status_code == 404
        listed = person.server("GET", "assignments", params={"course_id": COURSE_ID}).json()
        assert [a["assignment_id"] for a in listed["value"]] == [ASSIGNMENT], listed
        person.nbgrader("fetch")
        model = person.server("GET", path).json()
        nb = nbformat.from_dict(model["content"])
        assert "BEGIN SOLUTION" not in json.dumps(model["content"])
        saved = person.server("PUT", path, json={"type": "notebook", "content": _filled(nb, right)})
        assert saved.status_code == 200, saved.text
        person.nbgrader("submit")

    instructor = room["instructor"]
    collected = instructor("exchange", "collect", ASSIGNMENT).stdout
    assert "collected 2 submissions" in collected, collected
    graded = instructor(
        "grade", ASSIGNMENT, str(room["course"] / "submitted"), "--workers", "2",
        "--cell-timeout", "30",
    ).stdout  # fmt: skip
    assert f"{room['alice']}" in graded and "4 / 5" in graded, graded
    instructor("exchange", "feedback", ASSIGNMENT)

    for name, right in students.items():
        people[name].nbgrader("fetch_feedback")
        home = Path(pwd.getpwnam(name).pw_dir)
        html = list((home / ASSIGNMENT / "feedback").rglob("*.html"))
        assert len(html) == 1, html  # their own, and only theirs
        text = html[0].read_text()
        expected = "Autograder: 2 / 2 points" if right else "Autograder: 0 / 2 points"
        assert expected in text, text[:2000]

    _formgrader_shows_the_grades(room, people)
    _students_cannot_read_each_other(room)
    _nothing_listens_beyond_localhost(room)


def _formgrader_shows_the_grades(room, people) -> None:
    teacher = Person(room, room["teacher"])
    api = f"{room['url']}/services/formgrader/formgrader/api/submissions/{ASSIGNMENT}"

    def answers() -> bool:
        return teacher.http.get(api, timeout=60).status_code == 200

    _wait_for(answers, 180, room["hub"], room["log"])
    rows = {r["student"]: r for r in teacher.http.get(api, timeout=60).json()}
    assert rows[room["alice"]]["autograded"] and rows[room["alice"]]["score"] == 4.0
    assert rows[room["bob"]]["autograded"] and rows[room["bob"]]["score"] == 0.0
    # a student's token does not open the instructor's formgrader
    assert people[room["alice"]].http.get(api, timeout=60).status_code in (403, 404)
    services = teacher.http.get(f"{room['url']}/hub/api/services", timeout=30).json()
    assert {"formgrader", "idle-culler"} <= set(services), services
    assert services["idle-culler"]["pid"], services["idle-culler"]  # the culler runs


PROBE = """
import json, os, sys
results = {}
for label, action, path in json.loads(sys.argv[1]):
    try:
        os.listdir(path) if action == "list" else open(path, "rb").read(1)
        results[label] = "allowed"
    except PermissionError:
        results[label] = "denied"
    except FileNotFoundError:
        results[label] = "missing"
print(json.dumps(results))
"""


def _students_cannot_read_each_other(room) -> None:
    alice, bob = room["alice"], room["bob"]
    inbound = room["exchange"] / COURSE_ID / "inbound"
    submitted = sorted(p.name for p in inbound.iterdir())
    alices = next(name for name in submitted if name.startswith(f"{alice}+"))
    alice_home = Path(pwd.getpwnam(alice).pw_dir)
    checks = [
        ("inbound listing", "list", str(inbound)),
        ("feedback listing", "list", str(room["exchange"] / COURSE_ID / "feedback")),
        ("alice's home", "list", str(alice_home)),
        ("alice's notebook", "read", str(alice_home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")),
        ("the course directory", "list", str(room["course"])),
        ("the gradebook", "read", str(room["course"] / "gradebook.db")),
    ]
    probe = _as_user(bob, {}, str(BIN / "python"), "-c", PROBE, json.dumps(checks))
    results = json.loads(probe.stdout)
    assert set(results.values()) == {"denied"}, results
    # alice's submission in the inbound folder is named with a random part (nbgrader's 72
    # bits) and a microsecond timestamp: bob, who cannot list the folder, cannot name it
    assert len(alices.split("+")) == 4 and len(alices.split("+")[-1]) >= 12, alices


def _nothing_listens_beyond_localhost(room) -> None:
    import psutil

    hub = psutil.Process(room["hub"].pid)
    pids = {hub.pid, *(p.pid for p in hub.children(recursive=True))}
    users = {room["teacher"], room["alice"], room["bob"]}
    pids |= {p.pid for p in psutil.process_iter(["username"]) if p.info["username"] in users}
    listening = [
        c for c in psutil.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN and c.pid in pids
    ]  # fmt: skip
    assert listening, "the hub listens somewhere"
    assert {c.laddr.ip for c in listening} <= {"127.0.0.1", "::1"}, listening


CHROMIUM = Path("/usr/bin/chromium")
#: each wait in the browser is on a real condition; this bounds it on a loaded 2-core machine
BROWSER_BUDGET_S = 300


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not installed (apt install chromium)")
def test_a_student_fetches_and_submits_in_the_assignments_tab(classroom, tmp_path):
    """As a student does it: the hub's login page, JupyterLab, Nbgrader > Assignment List,
    Fetch, Submit; then the instructor collects the submission from the exchange."""
    from playwright.sync_api import sync_playwright

    room, carol = classroom, classroom["carol"]
    shots = REPO_ROOT / "tests" / "_output" / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    flags = [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    ]  # fmt: skip
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=flags,
            viewport={"width": 1400, "height": 1000},
        )  # fmt: skip
        context.set_default_timeout(BROWSER_BUDGET_S * 1000)
        try:
            page = context.new_page()
            page.goto(f"{room['url']}/hub/login")
            page.fill("#username_input", carol)
            page.fill("#password_input", room["password"])
            page.click("#login_submit")
            # the hub spawns the server and sends the browser on to JupyterLab
            page.wait_for_url(f"**/user/{carol}/lab**")
            page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
            page.locator(".lm-Menu-item", has_text="Assignment List").click()
            released = page.locator("#released_assignments_list")
            released.get_by_text(ASSIGNMENT).wait_for()
            page.screenshot(path=shots / "hub_1_assignments_released.png")
            released.get_by_role("button", name="Fetch").click()
            fetched = page.locator("#fetched_assignments_list")
            fetched.get_by_role("button", name="Submit").first.wait_for()
            page.screenshot(path=shots / "hub_2_fetched.png")
            fetched.get_by_role("button", name="Submit").first.click()
            page.locator("#submitted_assignments_list").get_by_text(ASSIGNMENT).wait_for()
            page.screenshot(path=shots / "hub_3_submitted.png")
        finally:
            context.close()

    home = Path(pwd.getpwnam(carol).pw_dir)
    assert (home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()  # fetched into her home
    inbound = room["exchange"] / COURSE_ID / "inbound"
    assert [p for p in inbound.iterdir() if p.name.startswith(f"{carol}+{ASSIGNMENT}+")]
    room["instructor"]("exchange", "collect", ASSIGNMENT)
    collected = room["course"] / "submitted" / carol / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert collected.is_file(), "the instructor's collect did not bring carol's submission"
