"""Settings for benchmark servers: the portal's own, plus a minimal view (the floor) beside its URLs."""

from docspace_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench._urls"
