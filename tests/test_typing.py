"""Each thing is typed by what it is: the Virgin Lands Campaign is a campaign, not a program.

Before, kzo:Campaign was a subclass of kzo:Program, so the reasoner made the campaign a
program and "which programs offer what" counted it. Now a campaign is a policy instrument
of its own, disjoint from programs; the example query 02 still lists it with the agency
that ran it.
"""

from __future__ import annotations

from flask.testing import FlaskClient

KZO = "https://w3id.org/kzmig/ontology#"
OWL = "http://www.w3.org/2002/07/owl#"
VIRGIN_LANDS = "https://w3id.org/kzmig/resource/program/virgin-lands-campaign"


def ask(client: FlaskClient, query: str) -> bool:
    response = client.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return bool(response.get_json()["boolean"])


def test_the_virgin_lands_campaign_is_a_campaign_and_no_program(client: FlaskClient) -> None:
    assert ask(client, f"ASK {{ GRAPH ?g {{ <{VIRGIN_LANDS}> a <{KZO}Campaign> }} }}")
    assert ask(client, f"ASK {{ GRAPH ?g {{ <{VIRGIN_LANDS}> a <{KZO}PolicyInstrument> }} }}")
    assert not ask(client, f"ASK {{ GRAPH ?g {{ <{VIRGIN_LANDS}> a <{KZO}Program> }} }}")
    assert ask(
        client,
        f"ASK {{ GRAPH ?g {{ <{KZO}Campaign> <{OWL}disjointWith> <{KZO}Program> }} }}",
    )
