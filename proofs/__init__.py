"""One script per result of the paper; ``plsym.registry`` finds them (installed as ``plsym_proofs``)."""
