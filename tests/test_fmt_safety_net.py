"""fmt's safety net still holds now that a canonical file skips it (#18): whenever the result
differs from the input, a lost triple, a renamed blank node's structure or a lost comment
stops fmt."""

from __future__ import annotations

import pytest
from kzmig.graph.editor import fmt
from kzmig.graph.editor.fmt import FormatError, format_text

TEXT = """# A file.

@prefix ex: <https://example.org/> .

# A comment above a statement.
ex:a
    ex:p ex:b ;
    ex:q [ ex:r "x" ] .
"""


def test_a_canonical_text_comes_back_as_it_is() -> None:
    assert format_text(TEXT, "a.ttl") == TEXT


@pytest.mark.parametrize(
    ("broken", "says"),
    [
        (lambda s: s.replace("    ex:p ex:b ;\n", ""), "change the graph"),
        (lambda s: s.replace('[ ex:r "x" ]', '[ ex:r "y" ]'), "change the graph"),
        (lambda s: s.replace("# A comment above a statement.\n", ""), "lose a comment"),
    ],
    ids=["a lost triple", "a changed blank node", "a lost comment"],
)
def test_a_render_that_changes_something_is_refused(
    monkeypatch: pytest.MonkeyPatch, broken: object, says: str
) -> None:
    real = fmt.render
    monkeypatch.setattr(fmt, "render", lambda doc, *rest: broken(real(doc, *rest)))  # type: ignore[operator]
    with pytest.raises(FormatError, match=says):
        format_text(TEXT, "a.ttl")


def test_an_input_that_does_not_parse_is_refused() -> None:
    with pytest.raises(FormatError, match="not valid Turtle"):
        format_text(TEXT.replace("ex:b ;", "ex:b ex:c ;"), "a.ttl")
