"""Families of parametric systems: linear maps, the paper's toys, networks, user callables.

Every family returns a :class:`plsym.System`, so every checker works on all of them.
"""

from .callable import CallableSystem, from_callable
from .conv import ConvSystem, conv
from .linear import LinearSystem, linear
from .network import NetworkSystem, network, network_data
from .resnet import ResNetSystem, resnet
from .toys import linear_toy, product, sphere
from .widths import width_family

__all__ = [
    "CallableSystem", "ConvSystem", "LinearSystem", "NetworkSystem", "ResNetSystem", "conv", "from_callable",
    "linear", "linear_toy", "network", "network_data", "product", "resnet", "sphere", "width_family",
]
