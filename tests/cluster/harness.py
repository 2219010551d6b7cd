"""The multi-host harness: the production topology of deploy/ on network namespaces of this machine.

    python -m tests.cluster.harness up      # `make cluster`: start it, print the addresses
    python -m tests.cluster.harness down    # `make cluster-down`: stop everything, remove it all
    python -m tests.cluster.harness test    # `make test-cluster`: up, the fault suite, down

Each host is a network namespace (`ip netns`) with one veth cable to a bridge that lives in a
namespace of its own. The addresses (NET.0/24) exist only inside those namespaces; no namespace has
a default route, and nothing is added to the machine's own namespace, so the cluster can reach
nothing but itself. Killing a host = SIGKILL to every process of its namespace and unplugging its
cable (the bridge port goes down), as a lost machine would.

The services are the Debian packages, configured by the files in deploy/ (rendered by replacing
their dollar-brace placeholders) and started by the command lines of production (deploy/bin/*).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import string
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PREFIX = "bmms23-"  # namespace names
SWITCH = PREFIX + "sw"
NET = "10.123.23"
RUN = Path("/tmp/bmms-cluster")
PG_BIN = (
    Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])
    if Path("/usr/lib/postgresql").exists()
    else Path("/usr/lib/postgresql/15/bin")
)

HOSTS = {
    "lb": 10,  # HAProxy, sentinel 3
    "web1": 11,  # gunicorn
    "web2": 12,  # gunicorn
    "pool": 20,  # PgBouncer
    "db1": 21,  # PostgreSQL primary
    "db2": 22,  # PostgreSQL hot standby
    "redis1": 31,  # Redis master, sentinel 1
    "redis2": 32,  # Redis replica, sentinel 2
    "work1": 41,  # Celery workers (default+exports, ai) and a beat candidate
    "work2": 42,  # the same
    "client": 100,  # the test itself, locust, the stub LLM
}
#: The stub LLM of the fault checks listens here (in the client namespace, in the test process).
STUB_PORT = 8090
WEB_HOSTS = ("web1", "web2")
WORKER_HOSTS = ("work1", "work2")
SENTINEL_HOSTS = ("redis1", "redis2", "lb")


_T0 = time.monotonic()


def say(what: str) -> None:
    print(f"[cluster {time.monotonic() - _T0:6.1f} s] {what}", flush=True)


def addr(host: str) -> str:
    return f"{NET}.{HOSTS[host]}"


def ns(host: str) -> str:
    return PREFIX + host


def sh(*args: str, check: bool = True, quiet: bool = True, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("timeout", 300)
    return subprocess.run(
        list(args),
        check=check,
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=subprocess.DEVNULL if quiet else None,
        **kw,
    )


def in_ns(host: str, *cmd: str) -> list[str]:
    return ["ip", "netns", "exec", ns(host), *cmd]


# --- the network --------------------------------------------------------------------------------


def existing_namespaces() -> list[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith(PREFIX)]


def host_pids(host: str) -> list[int]:
    out = subprocess.run(["ip", "netns", "pids", ns(host)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def network_up() -> None:
    sh("ip", "netns", "add", SWITCH)
    sh("ip", "-n", SWITCH, "link", "add", "br0", "type", "bridge")
    sh("ip", "-n", SWITCH, "link", "set", "br0", "up")
    for host in HOSTS:
        sh("ip", "netns", "add", ns(host))
        sh(
            "ip",
            "-n",
            SWITCH,
            "link",
            "add",
            f"p-{host}",
            "type",
            "veth",
            "peer",
            "name",
            "eth0",
            "netns",
            ns(host),
        )
        sh("ip", "-n", SWITCH, "link", "set", f"p-{host}", "master", "br0", "up")
        sh("ip", "-n", ns(host), "addr", "add", f"{addr(host)}/24", "dev", "eth0")
        sh("ip", "-n", ns(host), "link", "set", "eth0", "up")
        sh("ip", "-n", ns(host), "link", "set", "lo", "up")


def unplug(host: str) -> None:
    sh("ip", "-n", SWITCH, "link", "set", f"p-{host}", "down")


def plug(host: str) -> None:
    sh("ip", "-n", SWITCH, "link", "set", f"p-{host}", "up")


def kill_host(host: str) -> None:
    """The machine is lost: every process on it dies at once and its cable is cut."""
    unplug(host)
    for pid in host_pids(host):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def down(keep_self: bool = False) -> None:
    """Stop every process in the namespaces and remove them; idempotent (also after a crash)."""
    me = os.getpid()
    for name in existing_namespaces():
        host = name[len(PREFIX) :]
        if keep_self and host == "client":
            continue
        for _ in range(3):
            pids = [p for p in host_pids(host) if p != me]
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.3)
    if keep_self:
        return
    for name in existing_namespaces():
        sh("ip", "netns", "delete", name, check=False)
    if RUN.exists():
        # The logs of the last run stay readable after the teardown.
        last = RUN.with_name(RUN.name + "-last")
        shutil.rmtree(last, ignore_errors=True)
        last.mkdir()
        for name in ("logs", "figures.txt"):
            with contextlib.suppress(OSError):
                (shutil.copytree if name == "logs" else shutil.copy)(RUN / name, last / name)
    shutil.rmtree(RUN, ignore_errors=True)


# --- configuration ------------------------------------------------------------------------------


def test_environment() -> dict[str, str]:
    """What `make test-cluster` adds to the portal's environment (deploy/bmms.env): the stub LLM,
    and short timeouts so that each fault plays out in seconds rather than an hour."""
    return {
        "LLM_BASE_URL": f"http://{addr('client')}:{STUB_PORT}/v1",
        "LLM_MODEL": "stub-model",
        "LLM_MAX_RETRIES": "0",
        # A task taken by a lost host is given to another after 20 s (production: 3,600 s) ...
        "CELERY_VISIBILITY_TIMEOUT": "20",
        # ... looked for every 10 s (kombu's default: 100 s).
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        # The beat task whose firings the beat check counts: every 5 s (production: 60 s).
        "OUTBOX_RELAY_INTERVAL_SECONDS": "5",
        # A dead beat's lock expires after 10 s (production: 30 s).
        "CELERY_BEAT_LOCK_SECONDS": "10",
        # Task results with their names, to count the runs of the beat task.
        "CELERY_RESULT_EXTENDED": "true",
    }


@dataclass
class Secrets:
    pg_postgres: str
    pg_app: str
    pg_replication: str
    pgbouncer_admin: str
    django: str

    @classmethod
    def load_or_create(cls) -> Secrets:
        path = RUN / "secrets.json"
        if path.exists():
            return cls(**json.loads(path.read_text()))
        made = cls(*(secrets.token_urlsafe(18) for _ in range(4)), secrets.token_urlsafe(50))
        path.write_text(json.dumps(made.__dict__))
        path.chmod(0o600)
        return made


def variables(sec: Secrets) -> dict[str, str]:
    return {
        "CLUSTER_NET": f"{NET}.0/24",
        "LB_ADDR": addr("lb"),
        "LB_PORT": "80",
        "LB_STATS_PORT": "8404",
        "PORTAL_HOST": addr("lb"),
        "PORTAL_ORIGIN": f"http://{addr('lb')}",
        "WEB1_ADDR": addr("web1"),
        "WEB2_ADDR": addr("web2"),
        "WEB_PORT": "8000",
        "WEB_MAXCONN": "4",
        "PGBOUNCER_ADDR": addr("pool"),
        "PGBOUNCER_RUN_DIR": str(RUN / "pool"),
        "PGBOUNCER_CONF_DIR": str(RUN / "pool"),
        "PG_PRIMARY_ADDR": addr("db1"),
        "PG_STANDBY_ADDR": addr("db2"),
        "PG_STANDBY_NAME": "db2",
        "PG_REPLICATION_PASSWORD": sec.pg_replication,
        "PG_APP_PASSWORD": sec.pg_app,
        "REDIS_MASTER_ADDR": addr("redis1"),
        "REDIS_MAXMEMORY": "256mb",
        "REDIS_SENTINEL_MASTER": "bmms",
        "REDIS_SENTINELS": ",".join(f"{addr(h)}:26379" for h in SENTINEL_HOSTS),
        "DJANGO_SECRET_KEY": sec.django,
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(RUN / "static"),
        "MEDIA_ROOT": str(RUN / "media"),
        "LOG_LEVEL": "WARNING",
    }


def render(template: str, target: Path, values: dict[str, str], owner: str | None = None) -> Path:
    """deploy/<template>, its placeholders replaced (a missing value is an error)."""
    text = string.Template((DEPLOY / template).read_text()).substitute(values)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    if owner:
        shutil.chown(target, owner, owner)
        shutil.chown(target.parent, owner, owner)
    return target


def app_environment(values: dict[str, str], **extra: str) -> dict[str, str]:
    """os.environ + deploy/bmms.env rendered + `extra` (the test's own overrides)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.pop("VIRTUAL_ENV", None)
    rendered = string.Template((DEPLOY / "bmms.env").read_text()).substitute(values)
    for line in rendered.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    env.update(BMMS_ROOT=str(ROOT), BMMS_VENV=str(Path(sys.executable).parents[1]), **extra)
    return env


# --- processes ----------------------------------------------------------------------------------


def start(host: str, name: str, cmd: list[str], env: dict | None = None, user: str | None = None):
    """Start a long-running process on `host`, its output in RUN/logs/<host>-<name>.log."""
    logs = RUN / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    if user:
        cmd = ["runuser", "-u", user, "--", *cmd]
    return subprocess.Popen(
        in_ns(host, *cmd),
        env=env,
        cwd=ROOT,
        stdout=(logs / f"{host}-{name}.log").open("ab"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_tcp(host_from: str, address: str, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        probe = f"import socket; socket.create_connection(('{address}', {port}), 1).close()"
        if sh(*in_ns(host_from, sys.executable, "-c", probe), check=False).returncode == 0:
            return
        time.sleep(0.5)
    raise TimeoutError(f"nothing answers on {address}:{port} (logs in {RUN / 'logs'})")


def as_postgres(host: str, *cmd: str, check: bool = True, env: dict | None = None):
    return sh(*in_ns(host, "runuser", "-u", "postgres", "--", *cmd), check=check, env=env)


def psql(host: str, sql: str, db: str = "postgres") -> str:
    """As the postgres superuser on the host's socket; commits wait for no standby (setup)."""
    out = subprocess.run(
        in_ns(
            host,
            "runuser",
            "-u",
            "postgres",
            "--",
            "psql",
            "-X",
            "-qAt",
            "-h",
            str(RUN / host / "run"),
            "-d",
            db,
            "-c",
            sql,
        ),
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PGOPTIONS": "-c synchronous_commit=local"},
        timeout=60,
    )
    return out.stdout.strip()


def postgres_dirs(host: str) -> tuple[Path, Path, Path]:
    base = RUN / host
    for sub in ("data", "conf", "run"):
        (base / sub).mkdir(parents=True, exist_ok=True)
        shutil.chown(base / sub, "postgres", "postgres")
    shutil.chown(base, "postgres", "postgres")
    (base / "data").chmod(0o700)
    return base / "data", base / "conf", base / "run"


def pg_values(values: dict[str, str], host: str) -> dict[str, str]:
    return {
        **values,
        "PG_ADDR": addr(host),
        "PG_RUN_DIR": str(RUN / host / "run"),
        "PG_CONF_DIR": str(RUN / host / "conf"),
    }


def start_postgres(host: str, role: str, values: dict[str, str]) -> None:
    data, conf, _ = postgres_dirs(host)
    v = pg_values(values, host)
    render("postgresql/common.conf", conf / "common.conf", v, "postgres")
    render(f"postgresql/{role}.conf", conf / "postgresql.conf", v, "postgres")
    render("postgresql/pg_hba.conf", conf / "pg_hba.conf", v, "postgres")
    start(
        host,
        "postgres",
        [
            str(PG_BIN / "postgres"),
            "-D",
            str(data),
            "-c",
            f"config_file={conf / 'postgresql.conf'}",
        ],
        user="postgres",
    )
    wait_tcp("client", addr(host), 5432)


def postgres_up(values: dict[str, str], sec: Secrets) -> None:
    data, _, _ = postgres_dirs("db1")
    pwfile = RUN / "db1" / "pw"
    pwfile.write_text(sec.pg_postgres)
    shutil.chown(pwfile, "postgres", "postgres")
    as_postgres(
        "db1",
        str(PG_BIN / "initdb"),
        "-D",
        str(data),
        "-U",
        "postgres",
        "-A",
        "scram-sha-256",
        "--auth-local=peer",
        f"--pwfile={pwfile}",
        "--no-sync",
    )
    pwfile.unlink()
    start_postgres("db1", "primary", values)
    psql("db1", f"CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '{sec.pg_replication}'")
    psql("db1", f"CREATE ROLE bmms LOGIN PASSWORD '{sec.pg_app}'")
    psql("db1", "CREATE DATABASE bmms OWNER bmms")
    # The standby: a base backup of the primary through its replication slot, then standby mode.
    standby_data, _, _ = postgres_dirs("db2")
    backup = ["-X", "stream", "-C", "-S", "db2", "-c", "fast", "--no-sync"]
    as_postgres(
        "db2",
        str(PG_BIN / "pg_basebackup"),
        "-h",
        addr("db1"),
        "-U",
        "replicator",
        "-D",
        str(standby_data),
        *backup,
        env={**os.environ, "PGPASSWORD": sec.pg_replication},
    )
    (standby_data / "standby.signal").touch()
    shutil.chown(standby_data / "standby.signal", "postgres", "postgres")
    start_postgres("db2", "standby", values)
    deadline = time.monotonic() + 60
    while psql("db1", "SELECT sync_state FROM pg_stat_replication") != "sync":
        if time.monotonic() > deadline:
            raise TimeoutError("the standby never became synchronous")
        time.sleep(0.5)


def pgbouncer_up(values: dict[str, str], sec: Secrets) -> None:
    conf = RUN / "pool"
    render("pgbouncer.ini", conf / "pgbouncer.ini", values, "postgres")
    users = conf / "userlist.txt"
    users.write_text(f'"bmms" "{sec.pg_app}"\n"pgbouncer" "{sec.pgbouncer_admin}"\n')
    shutil.chown(users, "postgres", "postgres")
    users.chmod(0o600)
    start("pool", "pgbouncer", ["pgbouncer", str(conf / "pgbouncer.ini")], user="postgres")
    wait_tcp("client", addr("pool"), 6432)


def redis_values(values: dict[str, str], host: str) -> dict[str, str]:
    return {
        **values,
        "REDIS_ADDR": addr(host),
        "REDIS_DIR": str(RUN / host / "redis"),
        "REDIS_CONF_DIR": str(RUN / host / "redis"),
        "SENTINEL_ADDR": addr(host),
        "SENTINEL_DIR": str(RUN / host / "sentinel"),
    }


def start_redis(host: str, values: dict[str, str], fresh: bool = True) -> None:
    v = redis_values(values, host)
    conf = RUN / host / "redis"
    if fresh:
        render("redis/redis.conf", conf / "redis.conf", v)
        role = "redis.conf" if host == "redis1" else "replica.conf"
        if role == "replica.conf":
            render("redis/replica.conf", conf / "replica.conf", v)
        (conf / "run.conf").write_text(f"include {conf / role}\n")
    start(host, "redis", ["redis-server", str(conf / "run.conf")])
    wait_tcp("client", addr(host), 6379)


def start_sentinel(host: str, values: dict[str, str], fresh: bool = True) -> None:
    v = redis_values(values, host)
    if fresh:
        render("redis/sentinel.conf", RUN / host / "sentinel" / "sentinel.conf", v)
    start(host, "sentinel", ["redis-sentinel", str(RUN / host / "sentinel" / "sentinel.conf")])
    wait_tcp("client", addr(host), 26379)


def redis_up(values: dict[str, str]) -> None:
    start_redis("redis1", values)
    start_redis("redis2", values)
    for host in SENTINEL_HOSTS:
        start_sentinel(host, values)


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    out = subprocess.run(
        in_ns("client", sys.executable, "manage.py", *args),
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )
    return out.stdout if capture else ""


def seed(values: dict[str, str], sec: Secrets, users: int) -> Path:
    """Migrations and the demo data straight on the primary (session mode), then the sessions
    of `users` load-test personas (tests/perf/loadtest.py)."""
    from tests.perf.loadtest import PERSONA_SCRIPT

    direct = f"postgres://bmms:{sec.pg_app}@{addr('db1')}:5432/bmms"
    # Setup data is not a user's acknowledged work: its commits need not wait for the standby.
    env = app_environment(
        values,
        DATABASE_URL=direct,
        DATABASE_PGBOUNCER="false",
        PGOPTIONS="-c synchronous_commit=local",
    )
    env.pop("DATABASE_REPLICA_URL", None)
    manage(env, "migrate", "--noinput", "-v0")
    say("  migrated")
    manage(env, "load_organizations", capture=True)
    manage(env, "seed_demo", capture=True)
    say("  seeded")
    out = manage(env, "shell", "-c", PERSONA_SCRIPT.replace("{USERS}", str(users)), capture=True)
    personas = RUN / "personas.json"
    personas.write_text(out.strip().splitlines()[-1])
    return personas


def start_web(host: str, env: dict[str, str]) -> None:
    start(
        host,
        "gunicorn",
        [str(DEPLOY / "bin" / "web")],
        env={**env, "WEB_BIND": f"{addr(host)}:8000", "WEB_WORKERS": "2"},
    )
    wait_tcp("client", addr(host), 8000, timeout=90)


def start_worker_host(host: str, env: dict[str, str]) -> None:
    base = {**env, "BMMS_HOST": host, "WORKER_CONCURRENCY": "1"}
    start(
        host,
        "worker-main",
        [str(DEPLOY / "bin" / "worker")],
        env={**base, "WORKER_QUEUES": "default,exports", "WORKER_NAME": "main"},
    )
    start(
        host,
        "worker-ai",
        [str(DEPLOY / "bin" / "worker")],
        env={**base, "WORKER_QUEUES": "ai", "WORKER_NAME": "ai"},
    )
    state = RUN / host / "beat"
    state.mkdir(parents=True, exist_ok=True)
    base["LOG_LEVEL"] = "INFO"  # "beat: Acquired lock" tells which host leads
    # systemd's Restart=always (deploy/systemd/bmms-beat.service): a beat that lost the lock exits
    # and waits for it again.
    loop = f'while :; do "{DEPLOY}/bin/beat"; sleep 2; done'
    start(host, "beat", ["sh", "-c", loop], env={**base, "BEAT_STATE_DIR": str(state)})


def haproxy_up(values: dict[str, str]) -> None:
    conf = render("haproxy.cfg", RUN / "lb" / "haproxy.cfg", values)
    sh("haproxy", "-c", "-q", "-f", str(conf), quiet=False)
    start("lb", "haproxy", ["haproxy", "-db", "-f", str(conf)])
    wait_tcp("client", addr("lb"), 80)


@dataclass
class Cluster:
    values: dict[str, str]
    secrets: Secrets
    env: dict[str, str]
    personas: Path

    def restart_host(self, host: str) -> None:
        """Plug a lost host back in and start its services again (its disks kept their data)."""
        plug(host)
        if host in WEB_HOSTS:
            start_web(host, self.env)
        elif host in WORKER_HOSTS:
            start_worker_host(host, self.env)
        elif host in ("redis1", "redis2"):
            # Never back as a master: a lost master restarted with its old configuration takes
            # writes (published tasks) until Sentinel demotes it, and its resync then drops them.
            import redis

            master = redis.Redis(host=addr("lb"), port=26379, socket_timeout=2)
            current = master.sentinel_get_master_addr_by_name("bmms")[0]
            v = {**redis_values(self.values, host), "REDIS_MASTER_ADDR": current.decode()}
            conf = RUN / host / "redis"
            render("redis/replica.conf", conf / "replica.conf", v)
            (conf / "run.conf").write_text(f"include {conf / 'replica.conf'}\n")
            start_redis(host, self.values, fresh=False)
            start_sentinel(host, self.values, fresh=False)
        else:
            raise ValueError(f"restarting {host} is not scripted")


def services_up(users: int = 150, **extra_env: str) -> Cluster:
    """Everything of the topology, in dependency order; `extra_env` goes to the portal's
    processes (the test's LLM stub, short timeouts)."""
    RUN.mkdir(parents=True, exist_ok=True)
    RUN.chmod(0o755)
    sec = Secrets.load_or_create()
    values = variables(sec)
    # Compressing the static files takes a while and needs no database: meanwhile, the rest.
    collectstatic = subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=app_environment(values),
        stdout=subprocess.DEVNULL,
    )
    say("PostgreSQL primary and synchronous standby")
    postgres_up(values, sec)
    say("PgBouncer")
    pgbouncer_up(values, sec)
    say("Redis master, replica, three sentinels")
    redis_up(values)
    say("migrations, organizations, demo data, sessions")
    personas = seed(values, sec, users)
    env = app_environment(values, **extra_env)
    if collectstatic.wait(timeout=600) != 0:
        raise RuntimeError("collectstatic failed")
    say("web hosts")
    for host in WEB_HOSTS:
        start_web(host, env)
    say("worker hosts (workers and beat candidates)")
    for host in WORKER_HOSTS:
        start_worker_host(host, env)
    say("HAProxy")
    haproxy_up(values)
    say("up")
    cluster = Cluster(values=values, secrets=sec, env=env, personas=personas)
    (RUN / "cluster.json").write_text(
        json.dumps({"values": values, "env_extra": extra_env, "personas": str(personas)})
    )
    return cluster


def describe() -> str:
    lines = [f"  {h:<7} {addr(h):<14} namespace {ns(h)}" for h in HOSTS]
    return "\n".join(
        [
            "BMMS cluster (network namespaces; reachable only from inside them):",
            *lines,
            f"  portal:  ip netns exec {ns('client')} curl -s http://{addr('lb')}/healthz/live/",
            f"  HAProxy: ip netns exec {ns('client')} curl -s 'http://{addr('lb')}:8404/;csv'",
            f"  logs:    {RUN / 'logs'}/",
            "  stop:    make cluster-down",
        ]
    )


def main(argv: list[str]) -> int:
    if os.geteuid() != 0 or not shutil.which("ip"):
        print("The cluster needs root and iproute2 (ip netns).")
        return 1
    command = argv[0] if argv else "up"
    if command not in ("up", "down", "test"):
        print(__doc__)
        return 2
    down()  # whatever an earlier run left behind
    if command == "down":
        print("cluster removed")
        return 0
    if command == "up":
        try:
            network_up()
            services_up()
        except BaseException:
            down()
            raise
        print(describe())
        return 0
    if command == "test":
        try:
            network_up()
            RUN.mkdir(parents=True, exist_ok=True)
            # The test process is one of the portal's clients: the same environment.
            values = variables(Secrets.load_or_create())
            env = app_environment(values, **test_environment(), BMMS_CLUSTER="1")
            pytest = [
                sys.executable,
                "-m",
                "pytest",
                "tests/cluster",
                "-m",
                "cluster",
                "-p",
                "no:cacheprovider",
                "-n",
                "0",
                "-q",
                "-s",
                *argv[1:],
            ]
            try:
                result = subprocess.run(
                    in_ns("client", *pytest), cwd=ROOT, env=env, check=False, timeout=40 * 60
                )
            except subprocess.TimeoutExpired:
                print("The cluster suite took over 40 minutes: stopped.")
                return 1
            figures = RUN / "figures.txt"
            if figures.exists():
                print("\n" + figures.read_text())
            return result.returncode
        finally:
            down()
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
