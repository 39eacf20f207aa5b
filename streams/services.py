"""Local Kafka and Redis for development and tests: ``pantau services up|down|status`` (DESIGN §9).

Kafka is a single KRaft node (broker and controller in one JVM) started from the jars Maven
resolves for ``deploy/kafka/pom.xml``; Redis is the system ``redis-server``. Everything they
write — jars, broker storage, logs, pid files — lives under ``.cache/`` (git-ignored).

``down`` stops only what ``up`` started, as recorded in pid files: a Kafka or Redis that was
already answering at the configured address is used, reported as external and left alone.
Process checks read /proc, so starting and stopping is for Linux.
"""
from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from string import Template
from urllib.parse import urlparse

import redis

from streams.settings import PROJECT_ROOT, Settings

Echo = Callable[[str], None]

CACHE_DIR = PROJECT_ROOT / ".cache"
KAFKA_DIR = CACHE_DIR / "kafka"
KAFKA_LIB = KAFKA_DIR / "lib"
KAFKA_DATA = KAFKA_DIR / "data"
KAFKA_CONFIG = KAFKA_DIR / "server.properties"
REDIS_DIR = CACHE_DIR / "redis"
DEPLOY_KAFKA = PROJECT_ROOT / "deploy" / "kafka"

DEFAULT_CONTROLLER_PORT = 9093
KAFKA_START_TIMEOUT = 90.0
REDIS_START_TIMEOUT = 15.0
STOP_TIMEOUT = 20.0
PROGRESS_EVERY = 10.0
# The broker listens on IPv4 loopback only, so only names that reach it can be started here.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})


class ServiceError(Exception):
    """A one-line, user-facing reason why a service could not be started or stopped."""


@dataclass(frozen=True)
class _Service:
    name: str
    pid_file: Path
    log: Path
    # A word of the process's command line, so that a recycled pid is never mistaken for ours.
    marker: str
    # Addresses are compared by port: localhost vs 127.0.0.1, or another Redis db, is the same server.
    port_of: Callable[[str], int]

    def running(self) -> tuple[int, str] | None:
        """Pid and address of the process ``up`` started, if it still runs; a stale pid file is removed."""
        try:
            pid, address = self.pid_file.read_text().split()
            if _running(int(pid), self.marker):
                return int(pid), address
        except FileNotFoundError:
            return None
        except ValueError:  # unreadable (corrupt, or an older format): as good as stale
            pass
        self.pid_file.unlink(missing_ok=True)
        return None

    def running_at(self, address: str) -> int | None:
        """The pid of our process, which must serve ``address``: one local instance per checkout."""
        found = self.running()
        if found is None:
            return None
        pid, started_at = found
        if self.port_of(started_at) != self.port_of(address):
            raise ServiceError(
                f"the {self.name} that pantau started runs at {started_at} (pid {pid}), not at {address}; "
                "run `pantau services down` first"
            )
        return pid


KAFKA = _Service("Kafka", KAFKA_DIR / "kafka.pid", KAFKA_DIR / "server.log", "kafka.Kafka",
                 lambda bootstrap: _servers(bootstrap)[0][1])
REDIS = _Service("Redis", REDIS_DIR / "redis.pid", REDIS_DIR / "redis.log", "redis-server",
                 lambda url: urlparse(url).port or 6379)


# --- public API ------------------------------------------------------------------------------

def up(settings: Settings, echo: Echo = print) -> None:
    """Start local Redis and Kafka unless they already answer; return once both answer."""
    with _lock():
        _redis_up(settings, echo)
        _kafka_up(settings, echo)


def down(settings: Settings, echo: Echo = print) -> None:
    """Stop the Kafka and Redis that ``up`` started; external ones are left alone.

    The pid files, not ``settings``, say what ``up`` started and where; ``settings`` is taken
    for symmetry with ``up`` and ``status``.
    """
    with _lock():
        for service in (KAFKA, REDIS):
            found = service.running()
            if found is None:
                echo(f"{service.name}: nothing to stop (not started by pantau)")
                continue
            pid, address = found
            _stop(service, pid, echo)
            echo(f"stopped {service.name} at {address} (pid {pid})")


def status(settings: Settings, echo: Echo = print) -> None:
    """Print what runs where."""
    echo(_status_line(KAFKA, settings.kafka_bootstrap, kafka_answers))
    echo(_status_line(REDIS, settings.redis_url, redis_answers))


def kafka_answers(bootstrap: str, timeout: float = 3.0) -> bool:
    """True if a server of ``bootstrap`` answers a Kafka Metadata request that lists a broker."""
    return any(_metadata_broker_count(host, port, timeout) > 0 for host, port in _servers(bootstrap))


def redis_answers(url: str, timeout: float = 1.0) -> bool:
    """True if the Redis at ``url`` answers PING."""
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def _already_up(service: _Service, address: str, answers: Callable[[], bool], timeout: float, echo: Echo) -> bool:
    """True when the service needs no start: ours runs there (waited on until it answers), or
    something else answers there, which ``down`` will then leave alone."""
    pid = service.running_at(address)
    if pid is not None:
        if not answers():
            echo(f"{service.name} (pid {pid}) runs but does not answer yet; waiting")
            _wait_ready(service, pid, answers, timeout, echo)
        echo(f"{service.name} already running at {address} (pid {pid})")
        return True
    if answers():
        echo(f"using {service.name} at {address} (not started by pantau; `services down` leaves it alone)")
        return True
    return False


# --- Kafka -----------------------------------------------------------------------------------

def _kafka_up(settings: Settings, echo: Echo) -> None:
    address = settings.kafka_bootstrap
    if _already_up(KAFKA, address, lambda: kafka_answers(address), KAFKA_START_TIMEOUT, echo):
        return
    host, port = _servers(address)[0]
    if host not in LOCAL_HOSTS:
        raise ServiceError(f"no Kafka answers at {address}, and {host} is not this machine, so it cannot be started here")
    controller_port = _controller_port()
    if not _port_free(port):
        raise ServiceError(f"port {port} is taken by another process that is not a Kafka broker")
    if not _port_free(controller_port):
        raise ServiceError(
            f"Kafka's controller port {controller_port} is taken by another process "
            "(set PANTAU_KAFKA_CONTROLLER_PORT to use another)"
        )
    started = time.monotonic()
    java = _java()
    _fetch_jars(echo)
    _write_kafka_config(settings, host, port, controller_port)
    _format_storage(java, echo)
    pid = _spawn(_java_argv(java, "kafka.Kafka", str(KAFKA_CONFIG), heap="-Xmx512m"), KAFKA, address)
    echo(f"started Kafka (pid {pid}); waiting for it to answer at {address}")
    _wait_ready(KAFKA, pid, lambda: kafka_answers(address, timeout=1.0), KAFKA_START_TIMEOUT, echo)
    echo(f"Kafka ready at {address} (pid {pid}, {time.monotonic() - started:.0f} s)")


def _controller_port() -> int:
    raw = os.environ.get("PANTAU_KAFKA_CONTROLLER_PORT") or str(DEFAULT_CONTROLLER_PORT)
    if not raw.isdigit():
        raise ServiceError(f"PANTAU_KAFKA_CONTROLLER_PORT must be a port number, not {raw!r}")
    return int(raw)


def _java() -> str:
    java = _require("java", "Java 17 or newer is needed to run Kafka (apt-get install openjdk-17-jre-headless)")
    version = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version)
    major = int(match.group(1)) if match else 0
    if major == 1 and match and match.group(2):  # "1.8.0_x" is Java 8
        major = int(match.group(2))
    if major < 17:
        raise ServiceError(f"Kafka 4 needs Java 17 or newer, but `{java} -version` says: {_summary_line(version)}")
    return java


def _fetch_jars(echo: Echo) -> None:
    """Resolve the broker's classpath into .cache/kafka/lib, again whenever pom.xml changes."""
    pom = DEPLOY_KAFKA / "pom.xml"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    stamp = KAFKA_LIB / ".pom.sha256"
    if stamp.exists() and stamp.read_text() == digest:
        return
    mvn = _require("mvn", "Maven is needed to fetch the Kafka broker jars (apt-get install maven)")
    echo("fetching the Kafka broker jars from Maven Central (first run only)...")
    # Into a staging directory first, so an interrupted download never passes for a classpath.
    staging = KAFKA_DIR / "lib.partial"
    shutil.rmtree(staging, ignore_errors=True)
    result = subprocess.run(
        [mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
         f"-DoutputDirectory={staging}", "-DincludeScope=runtime"],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise ServiceError(f"Maven could not fetch the Kafka jars: {_summary_line(result.stdout + result.stderr)}")
    (staging / ".pom.sha256").write_text(digest)
    shutil.rmtree(KAFKA_LIB, ignore_errors=True)
    staging.rename(KAFKA_LIB)


def _write_kafka_config(settings: Settings, host: str, port: int, controller_port: int) -> None:
    template = Template((DEPLOY_KAFKA / "server.properties").read_text())
    KAFKA_DIR.mkdir(parents=True, exist_ok=True)
    KAFKA_CONFIG.write_text(template.substitute(
        broker_port=port,
        controller_port=controller_port,
        advertised_host=host,
        log_dirs=KAFKA_DATA,
        partitions=settings.partitions,
    ))


def _format_storage(java: str, echo: Echo) -> None:
    if (KAFKA_DATA / "meta.properties").exists():
        return
    echo("formatting Kafka storage (first start)")
    cluster_id = _run_java_tool(java, "random-uuid").split()[-1]
    if not re.fullmatch(r"[A-Za-z0-9_-]{22}", cluster_id):
        raise ServiceError(f"kafka StorageTool random-uuid printed {cluster_id!r}, not a cluster id")
    _run_java_tool(java, "format", "-t", cluster_id, "-c", str(KAFKA_CONFIG))


def _run_java_tool(java: str, *args: str) -> str:
    result = subprocess.run(_java_argv(java, "kafka.tools.StorageTool", *args), capture_output=True, text=True)
    if result.returncode != 0:
        raise ServiceError(f"kafka StorageTool {args[0]} failed: {_summary_line(result.stdout + result.stderr)}")
    return result.stdout.strip()


def _java_argv(java: str, main_class: str, *args: str, heap: str | None = None) -> list[str]:
    # Java expands the classpath wildcard itself; no shell is involved.
    options = [heap] if heap else []
    log4j = DEPLOY_KAFKA / "log4j2.properties"
    return [java, *options, f"-Dlog4j2.configurationFile={log4j}", "-cp", f"{KAFKA_LIB}/*", main_class, *args]


# Metadata v4 is the oldest version Kafka 4 still accepts (KIP-896), and every broker since 1.0
# knows it. Unlike ApiVersions, it answers only once the broker has registered itself, so a
# listed broker means clients can really use it.
_METADATA_API_KEY = 3
_METADATA_VERSION = 4
_CORRELATION_ID = 0x50414E54
_CLIENT_ID = b"pantau-services"
_MAX_RESPONSE = 1 << 20


def _metadata_broker_count(host: str, port: int, timeout: float) -> int:
    """How many brokers a Metadata request to host:port lists; 0 if it is no (ready) broker."""
    header = struct.pack(">hhih", _METADATA_API_KEY, _METADATA_VERSION, _CORRELATION_ID, len(_CLIENT_ID)) + _CLIENT_ID
    body = struct.pack(">ib", 0, 0)  # no topics, no auto-creation: just the brokers
    request = struct.pack(">i", len(header) + len(body)) + header + body
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(request)
            (size,) = struct.unpack(">i", _recv_exactly(sock, 4))
            if not 12 <= size <= _MAX_RESPONSE:  # e.g. an HTTP or Redis server answering garbage
                return 0
            correlation_id, _throttle_ms, brokers = struct.unpack_from(">iii", _recv_exactly(sock, size))
    except (OSError, struct.error):
        return 0
    return brokers if correlation_id == _CORRELATION_ID else 0


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("connection closed by peer")
        data += chunk
    return bytes(data)


def _servers(bootstrap: str) -> list[tuple[str, int]]:
    servers = []
    for entry in bootstrap.split(","):
        host, _, port = entry.strip().rpartition(":")
        if not host or not port.isdigit():
            raise ServiceError(f"Kafka bootstrap {bootstrap!r} is not a list of host:port")
        servers.append((host.strip("[]"), int(port)))
    return servers


# --- Redis -----------------------------------------------------------------------------------

def _redis_up(settings: Settings, echo: Echo) -> None:
    url = settings.redis_url
    if _already_up(REDIS, url, lambda: redis_answers(url), REDIS_START_TIMEOUT, echo):
        return
    parsed = urlparse(url)
    if parsed.scheme != "redis" or parsed.hostname not in LOCAL_HOSTS:
        raise ServiceError(f"no Redis answers at {url}, and only redis://localhost:PORT can be started here")
    port = parsed.port or 6379
    if not _port_free(port):
        raise ServiceError(f"port {port} is taken by another process that is not a Redis answering at {url}")
    server = _redis_server(echo)
    pid = _spawn([
        server, "--bind", "127.0.0.1", "--port", str(port), "--daemonize", "no",
        # A cache of the Kafka state: nothing is worth persisting, and no fork for snapshots.
        "--save", "", "--appendonly", "no",
        "--dir", str(REDIS_DIR), "--logfile", str(REDIS.log),
    ], REDIS, url)
    _wait_ready(REDIS, pid, lambda: redis_answers(url), REDIS_START_TIMEOUT, echo)
    echo(f"started Redis at {url} (pid {pid})")


def _redis_server(echo: Echo) -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise ServiceError("redis-server is not installed (apt-get install redis-server), "
                           "or set PANTAU_REDIS_URL to a running Redis")
    echo("redis-server is missing; installing it with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (["apt-get", "update"], ["apt-get", "install", "-y", "redis-server"]):
        result = subprocess.run(argv, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise ServiceError(f"`{' '.join(argv)}` failed: {_summary_line(result.stdout + result.stderr)}")
    return _require("redis-server", "apt-get installed redis-server, but it is not on PATH")


# --- processes -------------------------------------------------------------------------------

@contextmanager
def _lock() -> Iterator[None]:
    """Serialise ``up`` and ``down`` of concurrent callers, e.g. test sessions started together."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with open(CACHE_DIR / "services.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _spawn(argv: list[str], service: _Service, address: str) -> int:
    """Start a detached process (own session: it outlives us and Ctrl-C); record pid and address."""
    service.log.parent.mkdir(parents=True, exist_ok=True)
    if service.log.exists():
        # Keep the previous run's log: it explains a crash that brought us here.
        service.log.replace(service.log.with_name(service.log.name + ".1"))
    with open(service.log, "ab") as log:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            cwd=service.log.parent, start_new_session=True,
        )
    service.pid_file.write_text(f"{process.pid} {address}\n")
    return process.pid


def _wait_ready(service: _Service, pid: int, answers: Callable[[], bool], timeout: float, echo: Echo) -> None:
    started = time.monotonic()
    next_progress = started + PROGRESS_EVERY
    while not answers():
        if not _running(pid, service.marker):
            service.pid_file.unlink(missing_ok=True)
            raise ServiceError(
                f"{service.name} exited while starting: {_summary_line(_read(service.log))}\n"
                f"last lines of {service.log}:\n{_tail(service.log)}"
            )
        now = time.monotonic()
        if now - started > timeout:
            _stop(service, pid, echo)
            raise ServiceError(
                f"{service.name} did not answer within {timeout:.0f} s, so it was stopped; "
                f"last lines of {service.log}:\n{_tail(service.log)}"
            )
        if now >= next_progress:
            echo(f"  still waiting for {service.name} ({now - started:.0f} s)")
            next_progress += PROGRESS_EVERY
        time.sleep(0.5)


def _stop(service: _Service, pid: int, echo: Echo) -> None:
    _signal_group(pid, signal.SIGTERM)
    if not _wait_gone(pid, service.marker, STOP_TIMEOUT):
        echo(f"{service.name} (pid {pid}) is still running {STOP_TIMEOUT:.0f} s after SIGTERM; killing it")
        _signal_group(pid, signal.SIGKILL)
        if not _wait_gone(pid, service.marker, 5.0):
            raise ServiceError(f"{service.name} (pid {pid}) survived SIGKILL")
    service.pid_file.unlink(missing_ok=True)


def _signal_group(pid: int, signum: signal.Signals) -> None:
    """Signal the session ``_spawn`` created, so that no child of the service is left behind."""
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _wait_gone(pid: int, marker: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _running(pid, marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _running(pid: int, marker: str) -> bool:
    """True if pid is a live (not zombie) process whose command line contains marker."""
    try:
        # Reap it if it is our own child (``up`` called in-process, as tests do), or it would
        # linger as a zombie that still looks alive.
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    name, _, rest = stat.partition(" (")[2].rpartition(")")
    # redis-server rewrites its own command line as it starts, and a read can catch it half
    # written; its process name (in stat) stays put, and java's command line does not change.
    return rest.split()[0] != "Z" and (marker.encode() in cmdline or marker == name)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like the servers themselves: a closed connection in TIME_WAIT does not block the port.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _require(command: str, hint: str) -> str:
    found = shutil.which(command)
    if not found:
        raise ServiceError(f"`{command}` was not found on PATH: {hint}")
    return found


def _status_line(service: _Service, configured: str, answers: Callable[[str], bool]) -> str:
    found = service.running()
    if found is not None:
        pid, address = found
        state = f"running (pid {pid})" if answers(address) else f"not answering (pid {pid})"
        if service.port_of(address) != service.port_of(configured):
            state += f"; configured address is {configured}"
    else:
        address = configured
        state = "running (external, not started by pantau)" if answers(address) else "not running"
    return f"{service.name:<6} {address:<28} {state}"


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def _tail(path: Path, lines: int = 12) -> str:
    # Java stack frames push the lines that explain a failure out of view.
    kept = [line for line in _read(path).splitlines() if not line.lstrip().startswith("at ")]
    return "\n".join("  " + line for line in kept[-lines:]) or "  (empty log)"


def _summary_line(output: str) -> str:
    """The line of a tool's output that best explains a failure: an exception's message, else
    the first line mentioning an error, else the first line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    causes = [line for line in lines if "Exception: " in line or "Error: " in line]
    errors = [line for line in lines if "error" in line.lower()]
    return (causes or errors or lines or ["(no output)"])[0]


def main(argv: list[str] | None = None) -> int:
    """``python -m streams.services up|down|status``, for use before the ``pantau`` script exists."""
    commands = {"up": up, "down": down, "status": status}
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in commands:
        print("usage: python -m streams.services up|down|status", file=sys.stderr)
        return 2
    try:
        commands[args[0]](Settings.from_env(), echo=functools.partial(print, flush=True))
    except (ServiceError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
