"""Test-wide settings: hypothesis profiles bound the examples so the default run takes minutes.

HYPOTHESIS_PROFILE=dev (default) for the edit loop, =ci for .ci/run, =deep for a long search.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# Tests verify the IR after every pass, so a pass that breaks it is named (users verify once, at the end).
os.environ.setdefault("ASCDSL_VERIFY_EACH_PASS", "1")
