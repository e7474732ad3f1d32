"""What ``%magic?`` shows: usage lines that match the grammar, in plain text.

IPython builds a magic's help from its argument parser in reST (the usage in a ``::`` block,
option values in angle brackets). Terminals and notebook pagers show that markup as it is, and
argparse's own usage line cannot say that ``%import_rel`` takes one statement of two forms.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

from IPython.core.magic_arguments import MagicHelpFormatter

__all__ = ["usage"]

Magic = TypeVar("Magic", bound=Callable)


class PlainHelpFormatter(MagicHelpFormatter):
    """IPython's magic help formatter without its reST: ``Usage:`` instead of a ``::`` block,
    option values as argparse writes them (``--auto on|off``, not ``--auto <on|off>``)."""

    def _format_action_invocation(self, action: argparse.Action) -> str:
        return argparse.RawDescriptionHelpFormatter._format_action_invocation(self, action)

    def add_usage(self, usage, actions, groups, prefix="Usage:\n  %"):
        """Start the help with ``Usage:`` and the usage lines, each with its ``%``."""
        super().add_usage(usage, actions, groups, prefix)


def usage(*lines: str) -> Callable[[Magic], Magic]:
    """Decorate a magic (above ``@magic_arguments()``) to show ``lines`` as its usage, one form
    of the magic per line without the leading ``%``, and its help in plain text."""

    def decorate(magic: Magic) -> Magic:
        parser = magic.parser
        parser.usage = "\n  %%".join(lines)  # argparse formats the usage with %
        parser.formatter_class = PlainHelpFormatter
        magic.__doc__ = parser.format_help()
        return magic

    return decorate
