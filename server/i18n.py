"""The reader's language: which one a request gets, and the page's own words in it.

Pages speak English, Kazakh and Russian. A request's language is ``?lang=``
when it names one of them, else the best match of ``Accept-Language``
(q-values weighed by werkzeug's parser; a region such as ``kk-KZ`` matches
``kk``), else English. It selects the page's words from the gettext catalogues
in ``translations/`` and the labels of things, properties and classes
(``describe.pick``: that language, then English, then any).

The catalogues are the ``.po`` files themselves. Babel compiles each one in
memory the first time its language is asked for (milliseconds), so the
repository and an editable install hold no binary ``.mo`` and need no build
step. Jinja's i18n extension gives the templates ``_``, ``gettext``,
``ngettext``, ``pgettext`` and ``{% trans %}`` (docs/i18n.md).
"""

from __future__ import annotations

import functools
import gettext as gettext_module
import io
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, Response, g, has_request_context, request

LANGUAGES = ("en", "kk", "ru")  # the first is the default and the catalogues' source language
DEFAULT = LANGUAGES[0]
NAMES = {"en": "English", "kk": "Қазақша", "ru": "Русский"}  # each in its own language
CATALOGUES = Path(__file__).parent / "translations"
DOMAIN = "messages"
# Pages whose links carry an explicit ?lang= on, so that a reader who chose a language
# keeps it while browsing. Not static files, downloads or the SPARQL protocol.
KEEPS_LANG = {
    "pages.home",
    "ontology.ontology",
    "publish.dumps",
    "publish.validation",
    "publish.void",
    "publish.dcat",
}
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def N_(message: str) -> str:
    """Marks a message for extraction that is translated later, where it is shown."""
    return message


@functools.cache
def translations(lang: str) -> gettext_module.NullTranslations:
    """The compiled catalogue of ``lang`` (English: the messages as written)."""
    if lang == DEFAULT or lang not in LANGUAGES:
        return gettext_module.NullTranslations()
    path = CATALOGUES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)  # a fuzzy entry is not a translation yet
    compiled.seek(0)
    return gettext_module.GNUTranslations(compiled)


def explicit() -> str | None:
    """The language named by ``?lang=`` (``kk``, ``ru-RU``, ...), if it is one of ours."""
    if not has_request_context():
        return None
    asked = request.args.get("lang", "").strip().lower().split("-", 1)[0]
    return asked if asked in LANGUAGES else None


def current() -> str:
    """The language of the page being made: ?lang=, then Accept-Language, then English."""
    if not has_request_context():
        return DEFAULT
    if "kzmig_lang" not in g:
        g.kzmig_lang = explicit() or request.accept_languages.best_match(LANGUAGES) or DEFAULT
    return str(g.kzmig_lang)


def gettext(message: str) -> str:
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(current()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return translations(current()).npgettext(context, singular, plural, n)


def with_lang(href: str | None, lang: str | None) -> str | None:
    """``href`` (a link on this site) with ``lang=`` set in its query; others unchanged."""
    if not href or not lang or not href.startswith("/") or href.startswith("//"):
        return href
    parts = urlsplit(href)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    query.append(("lang", lang))
    return urlunsplit(parts._replace(query=urlencode(query)))


def keep_lang(href: str | None) -> str | None:
    """The Jinja filter for links to pages: keeps the reader's ?lang= choice, if any."""
    return with_lang(href, explicit())


def switch() -> list[dict[str, Any]]:
    """The header's language links: this page (path and query kept) in each language."""
    here = quote(request.script_root + request.path, safe=_PATH_SAFE)
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return [
        {
            "code": code,
            "name": NAMES[code],
            "href": here + "?" + urlencode([*query, ("lang", code)]),
            "current": code == current(),
        }
        for code in LANGUAGES
    ]


def _url_defaults(endpoint: str, values: dict[str, Any]) -> None:
    lang = explicit()
    if lang and endpoint in KEEPS_LANG and "lang" not in values:
        values["lang"] = lang


def _headers(response: Response) -> Response:
    """A page's language depends on Accept-Language: say so to caches, and say which it is."""
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
        response.headers["Content-Language"] = current()
    return response


def install(app: Flask) -> None:
    """Gettext in the templates, the language switch, links that keep ?lang=, the headers."""
    env = app.jinja_env
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True  # msgids with whitespace folded, as babel.cfg says
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=gettext,
        ngettext=ngettext,
        newstyle=True,
        pgettext=pgettext,
        npgettext=npgettext,
    )
    env.filters["keep_lang"] = keep_lang
    app.context_processor(lambda: {"lang": current(), "language_links": switch()})
    app.url_defaults(_url_defaults)
    app.after_request(_headers)
