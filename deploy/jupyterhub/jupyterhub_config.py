"""JupyterHub for one class of the course kit: see deploy/jupyterhub/README.md.

Every setting comes from the environment, so one file serves a laptop test and a server:

COURSE_INSTRUCTOR   Unix user who teaches (hub admin, owns the course directory, formgrader)
COURSE_STUDENTS     comma-separated Unix user names allowed to log in (or COURSE_ROSTER,
                    the roster CSV of `autograder roster import`: its id column)
COURSE_DIR          the instructor's course directory (default ~instructor/course)
COURSE_EXCHANGE     nbgrader's exchange, writable by all (default /srv/nbgrader/exchange)
COURSE_HUB_STATE    the hub's database, cookie secret and logs (default /srv/jupyterhub)
COURSE_HUB_IP       address the proxy listens on (default 127.0.0.1: put a TLS proxy in front)
COURSE_HUB_PORT     its port (default 8000); the proxy API, hub and formgrader use the next
                    three ports, all on 127.0.0.1
COURSE_IDLE_MINUTES servers idle this long are stopped by the idle culler (default 60)
COURSE_PYTHON_BIN   the environment whose jupyterhub-singleuser users run (default: this one)
"""

import csv
import os
import pwd
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(os.environ.get("COURSE_PYTHON_BIN") or Path(sys.executable).parent)
INSTRUCTOR = os.environ["COURSE_INSTRUCTOR"]
EXCHANGE = os.environ.get("COURSE_EXCHANGE", "/srv/nbgrader/exchange")
COURSE_DIR = os.environ.get("COURSE_DIR") or str(Path(pwd.getpwnam(INSTRUCTOR).pw_dir) / "course")
STATE = Path(os.environ.get("COURSE_HUB_STATE", "/srv/jupyterhub"))
IP = os.environ.get("COURSE_HUB_IP", "127.0.0.1")
PORT = int(os.environ.get("COURSE_HUB_PORT", "8000"))
IDLE_SECONDS = int(float(os.environ.get("COURSE_IDLE_MINUTES", "60")) * 60)


def _students() -> set[str]:
    names = {s.strip() for s in os.environ.get("COURSE_STUDENTS", "").split(",") if s.strip()}
    roster = os.environ.get("COURSE_ROSTER")
    if roster:
        with open(roster, newline="", encoding="utf-8-sig") as handle:
            names |= {row["id"].strip() for row in csv.DictReader(handle) if row.get("id")}
    return names


c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

# --- where the hub listens and keeps its state: only 127.0.0.1 unless told otherwise -------
c.JupyterHub.bind_url = f"http://{IP}:{PORT}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = PORT + 2
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT + 1}"
c.ConfigurableHTTPProxy.command = [
    str(HERE / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy")
]
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server

# --- who logs in: system users through PAM (README: OAuth/LTI instead) ---------------------
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = _students() | {INSTRUCTOR}
c.Authenticator.admin_users = {INSTRUCTOR}
c.PAMAuthenticator.open_sessions = False  # no login session per spawn (containers lack one)

# --- each user's JupyterLab: a local process as that Unix user (README: KubeSpawner) --------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.ip = "127.0.0.1"
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.http_timeout = 180  # a busy server takes a while to import JupyterLab
c.Spawner.start_timeout = 240
c.Spawner.environment = {
    # nbgrader's course and exchange; formgrader and course tools off for students
    "JUPYTER_CONFIG_PATH": str(HERE / "student-config"),
    "COURSE_EXCHANGE": EXCHANGE,
}


def _instructor_environment(spawner):
    """The instructor's own server also sees the course directory's settings."""
    if spawner.user.name == INSTRUCTOR:
        spawner.environment = {
            **spawner.environment,
            "JUPYTER_CONFIG_PATH": str(HERE / "instructor-config"),
            "COURSE_DIR": COURSE_DIR,
        }


c.Spawner.pre_spawn_hook = _instructor_environment

# --- services: formgrader for the instructor, the idle culler -------------------------------
c.JupyterHub.services = [
    {
        "name": "formgrader",
        "url": f"http://127.0.0.1:{PORT + 3}",
        "user": INSTRUCTOR,
        "cwd": COURSE_DIR,
        "command": [
            str(BIN / "jupyterhub-singleuser"),
            f"--ServerApp.root_dir={COURSE_DIR}",
        ],
        "environment": {
            "JUPYTERHUB_DEFAULT_URL": "/formgrader",
            "JUPYTER_CONFIG_PATH": str(HERE / "instructor-config"),
            "COURSE_DIR": COURSE_DIR,
            "COURSE_EXCHANGE": EXCHANGE,
            "HOME": pwd.getpwnam(INSTRUCTOR).pw_dir,
        },
        "oauth_no_confirm": True,
    },
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={IDLE_SECONDS}",
        ],  # fmt: skip
    },
]
c.JupyterHub.load_roles = [
    {
        "name": "formgrader-users",
        "scopes": ["access:services!service=formgrader"],
        "users": [INSTRUCTOR],
    },
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
]
