"""Families of parametric systems: linear maps, the paper's toys, networks, user callables.

Every family returns a :class:`plsym.System`, so every checker works on all of them.
"""

from .callable import CallableSystem, from_callable
from .linear import LinearSystem, linear
from .network import NetworkSystem, network, network_data
from .toys import product, sphere

__all__ = [
    "CallableSystem", "LinearSystem", "NetworkSystem", "from_callable", "linear", "network", "network_data", "product", "sphere",
]
