"""Reading configuration from the environment."""

from __future__ import annotations

import pytest

from config.env import ConfigError, env_bool, parse_database_url, parse_domain, parse_scheme, redacted


@pytest.mark.parametrize("domain", ["social.example", "social.test:8000", "LOCALHOST:8123"])
def test_parse_domain_accepts_a_host_with_optional_port(domain: str) -> None:
    assert parse_domain(domain) == domain.lower()


@pytest.mark.parametrize("domain", ["", "https://social.example", "social.example/path", "a@b", "host:port", "host:"])
def test_parse_domain_rejects_anything_but_a_bare_host(domain: str) -> None:
    with pytest.raises(ConfigError, match="MUTUALS_DOMAIN"):
        parse_domain(domain)


def test_parse_scheme_allows_only_https_and_http() -> None:
    assert parse_scheme("https") == "https"
    assert parse_scheme("http") == "http"
    with pytest.raises(ConfigError, match="MUTUALS_SCHEME"):
        parse_scheme("ftp")


def test_parse_database_url_reads_postgres_urls() -> None:
    config = parse_database_url("postgresql://user:pw@db.internal:5433/mutuals")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == ("db.internal", 5433, "mutuals", "user")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/db", "not supported"),
        ("postgresql://user@localhost", "names no database"),
        ("nonsense", "not supported"),
    ],
)
def test_parse_database_url_names_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_database_url(url)


def test_env_bool_rejects_unclear_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUTUALS_FLAG", "maybe")
    with pytest.raises(ConfigError, match="MUTUALS_FLAG"):
        env_bool("MUTUALS_FLAG", False)
    monkeypatch.setenv("MUTUALS_FLAG", "Yes")
    assert env_bool("MUTUALS_FLAG", False) is True


def test_redacted_hides_passwords_only() -> None:
    assert redacted("redis://:s3cret@host:6379/0") == "redis://:***@host:6379/0"
    assert redacted("redis://host:6379/0") == "redis://host:6379/0"


def test_postgres_connections_give_up_quickly_when_the_server_is_down() -> None:
    config = parse_database_url("postgresql://user@db.internal:5432/mutuals")
    assert config["OPTIONS"]["connect_timeout"] == 3
    assert config["OPTIONS"]["pool"]["timeout"] == 5
    # A timeout named in the URL wins.
    assert parse_database_url("postgresql://u@h/db?connect_timeout=9")["OPTIONS"]["connect_timeout"] == 9
