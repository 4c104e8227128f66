"""A throwaway Synapse homeserver for the Matrix adapter's tests.

Synapse is installed from PyPI into its own virtual environment (never into the project's),
cached under ``${NEWSBOT_CACHE:-~/.cache/newsbot}/synapse-venv`` so only the first run pays the
~20 s install. Each test session gets a fresh data directory: SQLite database, generated signing
key, a client listener on a free loopback port, no federation listener, relaxed rate limits.

Also usable as a script, e.g. in CI to prepare the cache before the tests:

    python tests/matrix/synapse_harness.py install      # create/refresh the cached venv
    python tests/matrix/synapse_harness.py run          # start a server, print its URL, wait for Ctrl-C
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SYNAPSE_REQUIREMENT = os.environ.get("NEWSBOT_SYNAPSE_REQUIREMENT", "matrix-synapse")
SERVER_NAME = "localhost"


class SynapseUnavailable(RuntimeError):
    """Synapse could not be installed or started here."""


def cache_dir() -> Path:
    base = os.environ.get("NEWSBOT_CACHE") or str(Path.home() / ".cache" / "newsbot")
    return Path(base)


def venv_dir() -> Path:
    return cache_dir() / "synapse-venv"


def _venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def _base_python() -> str:
    """A real interpreter to build the venv from (not the project's venv, whose pip we don't touch)."""
    return getattr(sys, "_base_executable", None) or shutil.which("python3") or sys.executable


def ensure_synapse(timeout: float = 600.0) -> Path:
    """Return the Python of a venv where `import synapse` works, installing it if needed."""
    venv = venv_dir()
    py = _venv_python(venv)
    marker = venv / ".newsbot-synapse-ok"
    if py.exists() and marker.exists() and marker.read_text().strip() == SYNAPSE_REQUIREMENT:
        return py
    venv.parent.mkdir(parents=True, exist_ok=True)
    try:
        if not py.exists():
            subprocess.run([_base_python(), "-m", "venv", str(venv)], check=True, timeout=120,
                           capture_output=True)
        subprocess.run(
            [str(py), "-m", "pip", "install", "--quiet", SYNAPSE_REQUIREMENT],
            check=True, timeout=timeout, capture_output=True,
        )
        subprocess.run([str(py), "-c", "import synapse.app.homeserver"], check=True, timeout=120,
                       capture_output=True)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = ""
        if isinstance(exc, subprocess.CalledProcessError):
            detail = (exc.stderr or b"").decode(errors="replace")[-2000:]
        message = f"cannot install {SYNAPSE_REQUIREMENT} into {venv}: {exc}\n{detail}"
        raise SynapseUnavailable(message) from exc
    marker.write_text(SYNAPSE_REQUIREMENT + "\n")
    return py


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _relaxed(per_second: float = 1000.0, burst: int = 10000) -> dict[str, Any]:
    return {"per_second": per_second, "burst_count": burst}


def write_config(data_dir: Path, port: int, shared_secret: str) -> Path:
    """A minimal homeserver.yaml (JSON is valid YAML) for loopback-only tests."""
    relaxed = _relaxed()
    config: dict[str, Any] = {
        "server_name": SERVER_NAME,
        "public_baseurl": f"http://127.0.0.1:{port}/",
        "pid_file": str(data_dir / "homeserver.pid"),
        "listeners": [{
            "port": port, "bind_addresses": ["127.0.0.1"], "type": "http", "tls": False,
            "x_forwarded": False, "resources": [{"names": ["client"], "compress": False}],
        }],
        "database": {"name": "sqlite3", "args": {"database": str(data_dir / "homeserver.db")}},
        "log_config": str(data_dir / "log.config"),
        "media_store_path": str(data_dir / "media_store"),
        "signing_key_path": str(data_dir / "signing.key"),
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "report_stats": False,
        "enable_registration": False,
        "registration_shared_secret": shared_secret,
        "macaroon_secret_key": secrets.token_hex(16),
        "form_secret": secrets.token_hex(16),
        "presence": {"enabled": False},
        "url_preview_enabled": False,
        "enable_metrics": False,
        "rc_message": relaxed,
        "rc_registration": relaxed,
        "rc_login": {"address": relaxed, "account": relaxed, "failed_attempts": relaxed},
        "rc_joins": {"local": relaxed, "remote": relaxed},
        "rc_joins_per_room": relaxed,
        "rc_invites": {"per_room": relaxed, "per_user": relaxed, "per_issuer": relaxed},
        "rc_3pid_validation": relaxed,
        "rc_admin_redaction": relaxed,
        "rc_media_create": relaxed,
        "rc_delayed_event_mgmt": relaxed,
        "rc_room_creation": relaxed,
        "rc_presence": {"per_user": relaxed},
        "rc_reports": relaxed,
    }
    (data_dir / "media_store").mkdir(parents=True, exist_ok=True)
    (data_dir / "log.config").write_text(
        "version: 1\n"
        "formatters:\n  precise:\n    format: '%(asctime)s %(name)s %(levelname)s %(message)s'\n"
        "handlers:\n  file:\n    class: logging.FileHandler\n    formatter: precise\n"
        f"    filename: {data_dir / 'homeserver.log'}\n"
        "root:\n  level: WARNING\n  handlers: [file]\n"
        "disable_existing_loggers: false\n"
    )
    path = data_dir / "homeserver.yaml"
    path.write_text(json.dumps(config, indent=1))
    return path


def _http_json(method: str, url: str, body: dict[str, Any] | None = None,
               token: str | None = None, timeout: float = 10.0) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        result: dict[str, Any] = json.loads(resp.read() or b"{}")
        return result


@dataclass
class User:
    user_id: str
    password: str
    access_token: str
    device_id: str


@dataclass
class Synapse:
    """A running homeserver; `url` is its client API base."""

    python: Path
    data_dir: Path
    port: int
    shared_secret: str
    process: subprocess.Popen[bytes] | None = None
    _admin: User | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_timeout: float = 60.0) -> None:
        config = self.data_dir / "homeserver.yaml"
        subprocess.run(
            [str(self.python), "-m", "synapse.app.homeserver", "-c", str(config), "--generate-keys"],
            check=True, capture_output=True, timeout=120, cwd=self.data_dir,
        )
        self._stderr = open(self.data_dir / "stderr.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(self.python), "-m", "synapse.app.homeserver", "-c", str(config)],
            cwd=self.data_dir, stdout=self._stderr, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SynapseUnavailable(f"Synapse exited with {self.process.returncode}:\n{self.logs()}")
            try:
                _http_json("GET", f"{self.url}/_matrix/client/versions", timeout=1.0)
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        self.stop()
        raise SynapseUnavailable(f"Synapse not ready after {ready_timeout}s:\n{self.logs()}")

    def logs(self) -> str:
        parts = []
        for name in ("stderr.log", "homeserver.log"):
            p = self.data_dir / name
            if p.exists():
                parts.append(p.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    def stop(self) -> None:
        proc = self.process
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        self.process = None
        if getattr(self, "_stderr", None) is not None:
            self._stderr.close()

    # --- users -----------------------------------------------------------------------------

    def register(self, localpart: str, password: str | None = None, admin: bool = False) -> User:
        """Register through the shared-secret admin API (HMAC-SHA1 of nonce, user, password, admin)."""
        password = password or secrets.token_urlsafe(12)
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        nonce = _http_json("GET", endpoint)["nonce"]
        mac = hmac.new(self.shared_secret.encode(), digestmod=hashlib.sha1)
        mac.update(b"\x00".join([nonce.encode(), localpart.encode(), password.encode(),
                                 b"admin" if admin else b"notadmin"]))
        result = _http_json("POST", endpoint, {
            "nonce": nonce, "username": localpart, "password": password,
            "admin": admin, "mac": mac.hexdigest(),
        })
        return User(result["user_id"], password, result["access_token"], result["device_id"])

    def admin(self) -> User:
        if self._admin is None:
            self._admin = self.register("harness-admin-" + secrets.token_hex(3), admin=True)
        return self._admin

    def override_ratelimit(self, user_id: str, messages_per_second: int, burst_count: int) -> None:
        """Per-user message rate limit (admin API; integers only); 0/0 would mean unlimited."""
        quoted = urllib.parse.quote(user_id, safe="")
        _http_json("POST", f"{self.url}/_synapse/admin/v1/users/{quoted}/override_ratelimit",
                   {"messages_per_second": messages_per_second, "burst_count": burst_count},
                   token=self.admin().access_token)


def launch(data_dir: Path | None = None) -> Synapse:
    """Install (cached) and start a fresh homeserver. Raises SynapseUnavailable."""
    python = ensure_synapse()
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="newsbot-synapse-"))
    port = free_port()
    secret = secrets.token_hex(16)
    write_config(data_dir, port, secret)
    server = Synapse(python=python, data_dir=data_dir, port=port, shared_secret=secret)
    try:
        server.start()
    except subprocess.SubprocessError as exc:
        raise SynapseUnavailable(f"cannot start Synapse: {exc}\n{server.logs()}") from exc
    return server


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "install"
    if cmd == "install":
        print(ensure_synapse())
        return 0
    if cmd == "run":
        server = launch()
        print(server.url, server.data_dir, flush=True)
        try:
            while server.process is not None and server.process.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
        return 0
    print(f"usage: {argv[0]} [install|run]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
