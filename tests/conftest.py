import os

# One BLAS thread: the suite's matrices are small, and on 2 cores threaded OpenBLAS spends more time
# synchronizing than computing (Lanczos solves measured about 10x slower with threads on a busy
# machine). Set before numpy is first imported; an explicit setting in the environment wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from hypothesis import HealthCheck, settings

# CI's default profile is fast; `HYPOTHESIS_PROFILE=deep pytest -m slow` runs the long searches.
settings.register_profile("ci", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
