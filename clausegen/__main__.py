"""``python -m clausegen``."""

from .cli import main

main()
