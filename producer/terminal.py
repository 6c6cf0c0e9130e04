"""Where the commands talk to their user: standard error, lines wrapped softly."""

from rich.console import Console

console = Console(stderr=True, soft_wrap=True)
