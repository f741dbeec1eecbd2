"""/ontology lists the resource namespaces, with example IRIs and the kinds claims mint."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from kzmig.names import MINTED_BY_CLAIMS, PREFIXES, RESOURCE_TYPES


def row(page: str, prefix: str) -> str:
    found = re.search(rf'<tr id="ns-{prefix}">(.*?)</tr>', page, re.S)
    assert found, f"no row for {prefix}:"
    return found.group(1)


def test_every_prefix_of_the_claim_sheets_has_a_row_with_an_example(client: FlaskClient) -> None:
    page = client.get("/ontology", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'id="resources"' in page
    for prefix in RESOURCE_TYPES:
        cells = row(page, prefix)
        assert PREFIXES[prefix] in cells
        example = re.search(r'<a href="([^"]+)">', cells)
        if prefix in MINTED_BY_CLAIMS or prefix in {"agency", "place", "period", "source"}:
            assert example and example.group(1).startswith(PREFIXES[prefix]), (prefix, cells)


def test_the_kinds_that_claims_mint_say_so_and_dereference(client: FlaskClient) -> None:
    page = client.get("/ontology", headers={"Accept": "text/html"}).get_data(as_text=True)
    for prefix, kind in MINTED_BY_CLAIMS.items():
        cells = row(page, prefix)
        assert f"claims, as <code>kzo:{kind}</code>" in cells
        iri = re.search(r'<a href="([^"]+)">', cells).group(1)  # type: ignore[union-attr]
        path = iri.replace("https://w3id.org/kzmig", "")
        assert client.get(path, headers={"Accept": "text/html"}).status_code == 200, path
    assert "ontology/" in row(page, "place") and "claims" not in row(page, "place")
