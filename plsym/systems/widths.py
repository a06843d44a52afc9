"""One architecture at several widths: the families over which the wide-network results are stated.

The width is the number of hidden neurons of a fully connected network (D8),
the number of channels of a convolutional network and the hidden width of a
residual network (T22). :func:`width_family` redraws a template network at
each width with the same data, depth, activations and read-out.
"""

from __future__ import annotations

from .._options import checked_options
from ..errors import InvalidArgument, _show, positive_int, seed_of
from .conv import ConvSystem, conv
from .network import NetworkSystem, network
from .resnet import ResNetSystem, resnet

__all__ = ["width_family"]


def _at_width(template, width, seed):
    """The template's architecture with every hidden width set to ``width``, initialized from the int ``seed``."""
    if isinstance(template, NetworkSystem):
        return network(template.X, template.y, [width] * template.depth, activation=template.activation,
                       output=template.output, rng=seed)
    if isinstance(template, ConvSystem):
        return conv(template.X, template.y, [width] * template.depth, kernel_size=template.kernel_size,
                    activation=template.activation, output=template.output, readout=template.readout,
                    padding=template.padding, dim=template.dim, rng=seed)
    return resnet(template.X, template.y, width, template.depth, activation=template.activation,
                  output=template.output, residual_scale=template.residual_scale, rng=seed)


@checked_options(renamed={"seed": "rng"})
def width_family(template, widths, *, rng=0):
    """The template network redrawn at each width: same data, depth, activations, read-out.

    Parameters
    ----------
    template : NetworkSystem, ConvSystem or ResNetSystem
        The architecture; its own widths and initialization are not used.
    widths : sequence of int
        The widths, each >= 1: every hidden layer of a fully connected network,
        every hidden convolution's channel count, the hidden width of a ResNet.
    rng : int or numpy.random.Generator, optional
        The seed of every member's N(0, 1) initialization w0 (each member
        records it as ``.seed``); a Generator draws that seed.
    seed : int, optional
        Deprecated name of ``rng``.

    Returns
    -------
    tuple of System
        One system per width, in the order of ``widths``.

    Raises
    ------
    InvalidArgument
        If template is not one of the three network families, widths is not a
        non-empty list of positive ints, or rng is not a non-negative int or a Generator.

    Notes
    -----
    The wide-network statements (T19, T20, T22) are about such a family: with
    the data fixed, lambda_min(K(w0)) tends to the limiting kernel's and
    ||H_F(w0)|| decays like 1/sqrt(width) for a linear output (up to log
    factors); a log-log fit over the family measures the exponent at the widths
    tried, nothing beyond.

    References
    ----------
    docs/theory.md §3.8, D8, T19, T20 and T22.

    Examples
    --------
    >>> import numpy as np
    >>> from plsym.systems import resnet, width_family
    >>> nets = width_family(resnet(np.eye(2), [1.0, -1.0], 4, 1), [16, 64])
    >>> [net.m for net in nets]
    [304, 4288]
    """
    if not isinstance(template, (NetworkSystem, ConvSystem, ResNetSystem)):
        raise InvalidArgument(f"template={_show(template)} must be a network, conv or resnet system")
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__iter__"):
        raise InvalidArgument(f"widths={_show(widths)} must be a non-empty list of positive ints, such as [16, 64]")
    widths = [positive_int(f"widths[{j}]", w) for j, w in enumerate(widths)]
    if not widths:
        raise InvalidArgument("widths=[] is empty; give at least one width, such as [16, 64]")
    seed = seed_of(rng)  # one seed for every member (drawn from a Generator)
    return tuple(_at_width(template, w, seed) for w in widths)
