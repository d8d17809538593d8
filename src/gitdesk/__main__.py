"""`python -m gitdesk`."""

from .cli import main

main()
