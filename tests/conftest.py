import os

# One BLAS thread: the suite's matrices are small, and on 2 cores threaded OpenBLAS costs more than it
# gains (numpy and scipy each load an OpenBLAS whose threads spin after a call; plsym's own iterations
# limit them, the rest of the suite's numpy calls are left to this). The thread tests raise the count
# themselves. Set before numpy is first imported; an explicit setting in the environment wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from hypothesis import HealthCheck, settings

# CI's default profile is fast; `HYPOTHESIS_PROFILE=deep pytest -m slow` runs the long searches.
settings.register_profile("ci", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
