"""A fast hasher for server-generated client secrets.

Client secrets are 128 random characters made by the server, so there is nothing
to brute-force: a salted SHA-256 is as safe for them as PBKDF2, and it costs
microseconds instead of ~250 ms of CPU on every token request. User passwords
keep Django's default (this hasher is never first in PASSWORD_HASHERS).
"""

import hashlib

from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_noop as _


class ClientSecretHasher(BasePasswordHasher):
    algorithm = "client_secret_sha256"

    def encode(self, password, salt):
        self._check_encode_args(password, salt)
        digest = hashlib.sha256(f"{salt}${password}".encode()).hexdigest()
        return f"{self.algorithm}${salt}${digest}"

    def decode(self, encoded):
        algorithm, salt, digest = encoded.split("$", 2)
        assert algorithm == self.algorithm
        return {"algorithm": algorithm, "hash": digest, "salt": salt}

    def verify(self, password, encoded):
        decoded = self.decode(encoded)
        return constant_time_compare(encoded, self.encode(password, decoded["salt"]))

    def safe_summary(self, encoded):
        decoded = self.decode(encoded)
        return {_("algorithm"): decoded["algorithm"], _("salt"): mask_hash(decoded["salt"]), _("hash"): "…"}

    def must_update(self, encoded):
        return False

    def harden_runtime(self, password, encoded):
        pass
