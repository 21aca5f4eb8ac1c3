"""Reading configuration from the environment."""

from __future__ import annotations

import pytest

from config.env import (
    ConfigError,
    env_bool,
    parse_database_url,
    parse_domain,
    parse_scheme,
    parse_sentinels,
    redacted,
)


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


def test_parse_database_url_behind_pgbouncer_turns_off_server_side_cursors() -> None:
    """Behind PgBouncer in transaction mode a cursor cannot outlive its transaction."""
    assert parse_database_url("postgresql://u@pool:6432/mutuals", pgbouncer=True)["DISABLE_SERVER_SIDE_CURSORS"]
    assert not parse_database_url("postgresql://u@db:5432/mutuals")["DISABLE_SERVER_SIDE_CURSORS"]


def test_parse_database_url_names_the_variable_it_read() -> None:
    with pytest.raises(ConfigError, match="DATABASE_REPLICA_URL names no database"):
        parse_database_url("postgresql://u@standby:5432", variable="DATABASE_REPLICA_URL")


def test_parse_sentinels_reads_host_port_pairs() -> None:
    assert parse_sentinels("10.0.0.1:26379, sentinel-2:26380") == [("10.0.0.1", 26379), ("sentinel-2", 26380)]


@pytest.mark.parametrize("raw", ["sentinel-1", "sentinel-1:port", ":26379", "a:1,"])
def test_parse_sentinels_rejects_entries_without_host_and_port(raw: str) -> None:
    with pytest.raises(ConfigError, match="REDIS_SENTINELS entry"):
        parse_sentinels(raw)
