"""Building and reading kzmig releases: the library behind the `kzmig` command.

Subpackages, in layers that run one way (tests/test_layering.py):
``build`` (the pipeline) uses ``semantics`` (reasoning, validation) and
``release`` (layout, store, dumps); ``editor`` (check, fmt, docs) and ``remote``
(remote stores, push) sit beside it; ``cli`` (the `kzmig` command) is on top and is
the only code that imports the server. Importing this package never loads Flask.
"""
