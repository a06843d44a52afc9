import os

from hypothesis import HealthCheck, settings

# CI's default profile is fast; `HYPOTHESIS_PROFILE=deep pytest -m slow` runs the long searches.
settings.register_profile("ci", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
