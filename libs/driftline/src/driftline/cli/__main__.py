"""`python -m driftline.cli`."""

from driftline.cli import main

main()
