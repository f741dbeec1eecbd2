"""The release format: the version of a release folder's layout (graph/release/layout.py).

manifest.json, store/, dumps/, sources/, validation.ttl. Bumped when that layout
or the manifest's meaning changes in a way an older kzmig cannot read; the build
writes it into the manifest as "format", and `kzmig --version` names it.
"""

RELEASE_FORMAT = 1
