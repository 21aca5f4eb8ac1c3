"""The production benchmark's nginx site is the deployed one with the run's ports, or the run stops."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench import production
from bench.production import nginx_site

CERTIFICATES = {"certificate": Path("/run/bench/server.pem"), "key": Path("/run/bench/server.key")}


def upstream_servers(site: str, name: str) -> list[str]:
    block = re.search(rf"upstream {name} \{{(.*?)\}}", site, flags=re.DOTALL)
    assert block is not None
    return re.findall(r"^\s*server (\S+);", block.group(1), flags=re.MULTILINE)


def test_both_upstreams_point_at_the_run_s_processes_only() -> None:
    """Daphne's upstream lists the run's web ports, gunicorn's the run's http ports, and no deployed port is left."""
    site = nginx_site([9001, 9002], [9101], 9443, 9080, CERTIFICATES, Path("/run/bench/nginx"))
    assert upstream_servers(site, "mutuals_web") == ["127.0.0.1:9001", "127.0.0.1:9002"]
    assert upstream_servers(site, "mutuals_http") == ["127.0.0.1:9101"]
    assert re.findall(r"server_name (\S+);", site) == ["localhost", "localhost"]
    assert not re.search(r":(8001|8002|8101);", site)
    assert "listen 127.0.0.1:9443 ssl" in site


@pytest.mark.parametrize(
    ("original", "changed"),
    [
        ("upstream mutuals_http {", "upstream mutuals_plain {"),
        ("    server 127.0.0.1:8101;\n", "    server 127.0.0.1:8101;\n    server 127.0.0.1:8102;\n"),
        ("location = /metrics {\n", "location = /metrics {\n        proxy_pass http://mutuals_web;\n"),
    ],
)
def test_a_site_of_another_shape_stops_the_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, original: str, changed: str
) -> None:
    """A renamed upstream, an extra server line or another route refuses to build the site."""
    deployed = production.SITE.read_text()
    assert original in deployed
    site = tmp_path / "mutuals.conf"
    site.write_text(deployed.replace(original, changed, 1))
    monkeypatch.setattr(production, "SITE", site)
    with pytest.raises(SystemExit, match=r"mutuals\.conf changed"):
        nginx_site([9001, 9002], [9101], 9443, 9080, CERTIFICATES, tmp_path)
