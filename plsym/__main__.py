"""``python -m plsym`` runs the command line."""

from .cli import console

console()
