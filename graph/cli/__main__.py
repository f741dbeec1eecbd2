"""`python -m kzmig.graph.cli`: the `kzmig` command."""

from .main import main

main()
