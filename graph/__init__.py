"""Building and reading kzmig releases: the library behind the `kzmig` command.

Importing this package never loads Flask: the server depends on the graph,
never the other way round.
"""

from .release import Release, data_dir

__all__ = ["Release", "data_dir"]
