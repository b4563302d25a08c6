"""deploy/: the compose file validates, the nginx template renders to a config nginx accepts,
supervisord's programs restart on their own."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import missing_service

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
sys.path.insert(0, str(ROOT / "scripts"))

from render_template import render  # noqa: E402


def _compose() -> str:
    compose = shutil.which("docker-compose")
    if compose is None:
        missing_service("docker-compose is not installed (make system-deps)")
        raise AssertionError("unreachable")
    return compose


def test_compose_file_is_valid():
    compose = _compose()
    env = {**os.environ, "SECRET_KEY": "x" * 60}
    for extra in ([], ["--profile", "elasticsearch"]):
        result = subprocess.run(
            [compose, "-f", str(DEPLOY / "compose.yaml"), *extra, "config", "-q"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr


def test_compose_refuses_to_run_without_a_secret_key():
    compose = _compose()
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [compose, "-f", str(DEPLOY / "compose.yaml"), "config", "-q"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=DEPLOY,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_compose_has_every_service_and_the_elasticsearch_profile():
    text = (DEPLOY / "compose.yaml").read_text()
    for service in ("web", "asgi", "worker", "beat", "postgres", "redis", "nginx", "elasticsearch"):
        assert f"\n  {service}:\n" in text
    assert 'profiles: ["elasticsearch"]' in text


def _nginx_values(tmp_path: Path, upload_mb: int) -> dict[str, str]:
    (tmp_path / "static").mkdir()
    (tmp_path / "media").mkdir()
    (tmp_path / "temp").mkdir()
    return {
        "NGINX_USER": os.environ.get("USER") or "root",
        "NGINX_LISTEN": "127.0.0.1:65000",
        "NGINX_PID": str(tmp_path / "nginx.pid"),
        "NGINX_ERROR_LOG": str(tmp_path / "error.log"),
        "NGINX_ACCESS_LOG": str(tmp_path / "access.log"),
        "NGINX_TEMP_DIR": str(tmp_path / "temp"),
        "WSGI_UPSTREAM": f"unix:{tmp_path}/gunicorn.sock",
        "ASGI_UPSTREAM": f"unix:{tmp_path}/uvicorn.sock",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "RECALL_MAX_UPLOAD_MB": str(upload_mb),
        "RECALL_MAX_APKG_MB": str(upload_mb * 5),
    }


def test_nginx_template_renders_every_placeholder(tmp_path, settings):
    text = render((DEPLOY / "nginx.conf").read_text(), _nginx_values(tmp_path, 20))
    assert "${" not in text
    assert f"client_max_body_size {settings.RECALL_MAX_UPLOAD_MB}m;" in text
    assert "client_max_body_size 100m;" in text  # the import locations' (Anki packages)
    # nginx's own variables are not placeholders and survive.
    assert "$http_upgrade" in text and "$proxy_add_x_forwarded_for" in text


def test_render_refuses_a_missing_value():
    with pytest.raises(KeyError, match="STATIC_ROOT"):
        render("alias ${STATIC_ROOT}/; proxy_pass $scheme;", {})


@pytest.mark.nginx
def test_nginx_accepts_the_rendered_config(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    user = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout.strip()
    values = {**_nginx_values(tmp_path, 20), "NGINX_USER": user}
    conf = tmp_path / "nginx.conf"
    conf.write_text(render((DEPLOY / "nginx.conf").read_text(), values))
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr


def test_supervisord_runs_every_process_with_autorestart_and_logs():
    parser = configparser.RawConfigParser()
    parser.read(DEPLOY / "supervisord.conf")
    programs = {s.removeprefix("program:") for s in parser.sections() if s.startswith("program:")}
    assert {"gunicorn", "uvicorn", "worker", "beat"} <= programs
    for name in programs:
        section = parser[f"program:{name}"]
        assert section.get("autorestart") == "true"
        assert section.get("stdout_logfile", "").endswith(f"/log/{name}.log")
    assert "config.wsgi:application" in parser["program:gunicorn"]["command"]
    assert "config.asgi:application" in parser["program:uvicorn"]["command"]
    assert "DatabaseScheduler" in parser["program:beat"]["command"]
    # Background work yields the CPU to requests (bench/load.py: the seed's embeddings and
    # every import's took it from them), and no process runs more than one torch thread.
    assert parser["program:worker"]["command"].startswith("nice -n 10 ")
    for name in ("worker", "gunicorn"):
        assert 'OMP_NUM_THREADS="1"' in parser[f"program:{name}"]["environment"]


def test_dockerfile_is_multi_stage_and_runs_as_non_root():
    text = (DEPLOY / "Dockerfile").read_text()
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert len(stages) >= 2
    assert "COPY --from=build" in text
    users = [line for line in text.splitlines() if line.startswith("USER ")]
    assert users and users[-1].split()[1] not in {"root", "0"}
