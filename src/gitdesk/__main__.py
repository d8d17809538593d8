"""`python -m gitdesk`."""

from gitdesk.cli.main import main

main()
