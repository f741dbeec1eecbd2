"""Messages that code hands to the templates by value, marked here for the catalogues.

A template translates them with ``_(value)``; ``pybabel extract`` finds them here
(``N_``). tests/test_i18n.py checks that every value the code can hand over (the
ontology page's fact names, kinds and constraint words from kzmig.graph.editor.docs, the
site's title) is one of these, so a new one can't go untranslated unnoticed.
"""

from __future__ import annotations

from .i18n import N_

SITE = [
    N_("kzmig: Migration in Kazakhstan, a knowledge graph with provenance"),  # publish.TITLE
    N_("VoID description"),
    N_("DCAT catalog"),
    N_("SPARQL service description"),  # service.py
]

# kzmig.graph.editor.docs: what an entry is ...
KINDS = [
    N_("class"),
    N_("object property"),
    N_("datatype property"),
    N_("annotation property"),
    N_("property"),
    N_("individual"),
]
# ... the headings of each kind of property (the page's sections) ...
PLURALS = {
    "object property": N_("Object properties"),
    "datatype property": N_("Datatype properties"),
    "annotation property": N_("Annotation properties"),
    "property": N_("Properties"),
}
# ... the facts an entry lists, and the ontology's own metadata ...
FACTS = [
    N_("Subclass of"),
    N_("Superclass of"),
    N_("Equivalent to"),
    N_("Disjoint with"),
    N_("In the domain of"),
    N_("In the range of"),
    N_("Instances (in the ontology)"),
    N_("Domain"),
    N_("Range"),
    N_("Subproperty of"),
    N_("Superproperty of"),
    N_("Inverse of"),
    N_("Characteristics"),
    N_("Type"),
    N_("In scheme"),
    N_("Broader"),
    N_("Narrower"),
    N_("Exact match"),
    N_("Close match"),
    N_("Same as"),
    N_("IRI"),
    N_("Version IRI"),
    N_("Version"),
    N_("Creator"),
    N_("Licence"),
    N_("Preferred prefix"),
    N_("Namespace"),
    N_("Other"),  # the group of individuals of no class
]
CHARACTERISTICS = [
    N_("functional"),
    N_("inverse functional"),
    N_("transitive"),
    N_("symmetric"),
    N_("asymmetric"),
    N_("irreflexive"),
]
# ... and the words of a shape's constraints.
CONSTRAINTS = [
    N_("class"),
    N_("datatype"),
    N_("node kind"),
    N_("min"),
    N_("max"),
    N_("one of"),
    N_("value"),
    N_("pattern"),
    N_("shape"),
    N_("or"),
    N_("≥"),
    N_("≤"),
    N_("languages"),
    N_("one per language"),
    N_("of those"),
    N_("at least"),
    N_("at most"),
    N_("severity"),
]
