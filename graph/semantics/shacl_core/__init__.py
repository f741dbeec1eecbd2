"""SHACL Core, as kzmig's shapes use it, over plain Python indexes.

Why: pyshacl walks an rdflib Graph, and building that Graph and querying it
triple by triple takes ~35 s on a 1M-triple release. The shapes only ask simple
things (a node's values along a predicate, its types, the rdfs:subClassOf
hierarchy), which dicts built in one pass over the triples answer directly.

pyshacl stays the reference: this package reproduces its results, to the result
(focus node, value, path, message, severity, source shape, constraint
component, nested sh:detail results), and tests/test_shacl_core.py and
tests/test_validation_equivalence.py compare the two (pyshacl is pinned to
0.40 in pyproject.toml for that reason). The default messages are pyshacl's
templates (pyshacl, Apache-2.0); the rules are written here. The semantics follow
pyshacl 0.40, as graph/semantics/validate.py runs it (no inference, warnings
allowed):

- every shape of the shapes graph is validated on its own targets: sh:targetNode,
  sh:targetClass (with the rdfs:subClassOf closure taken from the DATA graph),
  implicit class targets (a shape that is also an rdfs:Class or owl:Class),
  sh:targetSubjectsOf, sh:targetObjectsOf;
- a result carries the sh:message values of the shape whose constraint failed
  (a property shape's messages for its own constraints, a node shape's for
  its own), or pyshacl's generic message when that shape has none;
- a shape "conforms" (for sh:or, sh:node, sh:qualifiedValueShape and
  sh:conforms) unless a failing constraint produced a result whose severity is
  neither sh:Warning nor sh:Info: that is what allow_warnings=True does;
- sh:in and sh:hasValue use term equality, sh:datatype rejects ill-typed
  literals, min/max comparisons use pyshacl's own ``compare_literal`` and an
  incomparable value is a violation.

Anything else (other paths, sh:and/sh:not/sh:xone, sh:closed, property-pair
constraints other than sh:lessThanOrEquals, SPARQL, custom components,
recursive shapes, malformed shapes) raises ``Unsupported``: the caller then
runs pyshacl, which gives its own results or its own error.

The package: ``data`` (the data graph's indexes), ``model`` (shapes, constraints,
results), ``values`` and ``nested`` (the constraint components), ``compile`` (the
shapes graph read into shapes), ``evaluate`` (validation) and ``report`` (the
sh:ValidationReport).
"""

from .compile import compile_shapes, supports, unsupported_features
from .data import Data
from .evaluate import Outcome, validate
from .model import Found, Shapes, Unsupported
from .report import report_graph

__all__ = [
    "Data",
    "Found",
    "Outcome",
    "Shapes",
    "Unsupported",
    "compile_shapes",
    "report_graph",
    "supports",
    "unsupported_features",
    "validate",
]
