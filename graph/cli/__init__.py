"""The `kzmig` command: the top layer, the only code that imports the server (lazily)."""
