"""The nginx configuration of `python -m indicateurs servir`: shipped file in step, valid, safe defaults."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from indicateurs.cli.main import main
from indicateurs.cli.servir import nginx_config, site_config, streamlit_command
from tests.conftest import ROOT


def test_deploy_file_is_the_generated_configuration(capsys):
    assert main(["servir", "--config", "--port", "80", "--instances", "4"]) == 0
    assert capsys.readouterr().out == (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")


def test_site_is_sticky_by_cookie_upgrades_websocket_compresses_and_hides_metrics():
    conf = site_config("127.0.0.1:8080", [8511, 8512])
    assert "ip_hash;" not in conf  # one address for a whole room (NAT, loopback): no spread
    assert "hash $atlas_route consistent;" in conf
    assert "server 127.0.0.1:8511 " in conf and "server 127.0.0.1:8512 " in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_read_timeout 1h;" in conf
    assert "gzip on;" in conf and "application/javascript" in conf
    assert "location = /_stcore/metrics {\n        return 404;" in conf


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx absent (apt-get install nginx)")
def test_nginx_accepts_the_generated_configuration(tmp_path):
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / name).mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_config("127.0.0.1:18080", [18511, 18512], tmp_path), encoding="utf-8")
    result = subprocess.run(
        ["nginx", "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr


def test_streamlit_command_serves_one_script_headless_on_the_given_port_with_known_options():
    cmd = streamlit_command(8517, script="serve.py")
    assert cmd[1:5] == ["-m", "streamlit", "run", "serve.py"]
    assert "--server.port=8517" in cmd and "--server.address=127.0.0.1" in cmd
    assert "--server.headless=true" in cmd and "--browser.gatherUsageStats=false" in cmd
    from streamlit import config as st_config  # the test may import Streamlit; the package does not

    options = st_config.get_config_options()
    for flag in cmd[5:]:
        assert flag.removeprefix("--").split("=")[0] in options, flag
