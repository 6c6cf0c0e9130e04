"""Where the commands talk to their user: standard error, lines wrapped softly."""

from rich.console import Console
from rich.markup import escape

console = Console(stderr=True, soft_wrap=True)


def say(message: str) -> None:
    """``message`` as written: a folder named ``[draft] shoot`` is a name, not Rich markup
    (which would drop ``[draft]``, or stop the command on a ``[/…]``)."""
    console.print(escape(message))
