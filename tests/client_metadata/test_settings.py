"""The development-only loopback switch is refused in production mode; the cache window must make sense."""

from tests.test_configuration import run_check, signing_key_file


def production(tmp_path, **extra):
    return {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "k" * 60,
        "DJANGO_ALLOWED_HOSTS": "portal.example.com",
        "OIDC_RSA_PRIVATE_KEY_FILE": str(signing_key_file(tmp_path)),
        **extra,
    }


def test_production_refuses_the_loopback_switch(tmp_path):
    result = run_check(tmp_path, **production(tmp_path, CLIENT_METADATA_ALLOW_LOOPBACK="true"))
    assert result.returncode != 0
    assert "CLIENT_METADATA_ALLOW_LOOPBACK" in result.stderr


def test_development_accepts_the_loopback_switch(tmp_path):
    assert run_check(tmp_path, command="init_data_dir").returncode == 0
    result = run_check(tmp_path, CLIENT_METADATA_ALLOW_LOOPBACK="true")
    assert result.returncode == 0, result.stderr


def test_a_floor_above_the_ceiling_is_refused(tmp_path):
    result = run_check(
        tmp_path, CLIENT_METADATA_CACHE_MIN_SECONDS="600", CLIENT_METADATA_CACHE_MAX_SECONDS="60"
    )
    assert result.returncode != 0
    assert "CLIENT_METADATA_CACHE_MIN_SECONDS" in result.stderr


def test_the_toolkits_own_resolver_stays_off():
    """django-oauth-toolkit 3.4 ships a resolver of its own; the portal uses client_metadata/ instead."""
    from oauth2_provider.settings import oauth2_settings

    assert oauth2_settings.CIMD_ENABLED is False
