from django.contrib.auth.hashers import check_password, make_password


def test_client_secret_hash_verifies_only_the_right_secret():
    encoded = make_password("s3cret-value", hasher="client_secret_sha256")
    assert encoded.startswith("client_secret_sha256$")
    assert check_password("s3cret-value", encoded)
    assert not check_password("s3cret-valuf", encoded)


def test_same_secret_gets_different_salts():
    assert make_password("same", hasher="client_secret_sha256") != make_password(
        "same", hasher="client_secret_sha256"
    )


def test_user_passwords_do_not_use_the_client_secret_hasher():
    # Production's list, not the test settings' (which put a fast hasher first).
    from docspace_portal import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert "oauth_apps.hashers.ClientSecretHasher" in production.PASSWORD_HASHERS[1:]
