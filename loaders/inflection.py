"""Whether a word of a text is a form of a word of a label: inflection and spelling rules.

Rules, not a dictionary, so that they hold for names no dictionary has
("Кыргызстана", "Қазақстанда"). Two words are forms of one word when, after
normalising (lower case, ``ё`` → ``е``, British → American spelling for Latin
words: labour → labor, programme → program, centre → center, -isation →
-ization), they are equal, or they split into one shared stem of at least
``MIN_STEM`` letters and two endings of the label's language:

- **en**: ``""``/``s``, ``""``/``es``, ``y``/``ies`` (Kazakh → Kazakhs,
  ministry → ministries; Russia does not match Russian, German does not match
  Germany);
- **ru**: any two noun or adjective case endings (Казахстан → в Казахстане,
  Китай → из Китая, Казахи → казахов, Российская → Российской);
- **kk**: any two chains of plural, possessive and case suffixes
  (Қазақстан → Қазақстанда, Қытай → Қытайдан, Қазақтар → қазақтардың).

Words shorter than ``MIN_STEM`` letters match only as they are (US, ФРГ,
of). Snowball stemmers (``snowballstemmer``) were tried first: their Russian
stems disagree between forms of one name (Казахстан → казахста, Казахстане →
казахстан; Китай → кита, Китая → кит), and they have no Kazakh, so the rules
here compare endings instead of stems.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

MIN_STEM = 4

_EN_PAIRS = frozenset({("", "s"), ("", "es"), ("y", "ies")})
_EN_SPELLING = {"programme": "program", "centre": "center", "defence": "defense"}

_RU_NOUN = "а я о е ё ы и у ю ь й ам ям ом ем ой ей ою ею ах ях ами ями ов ев ий ия ие ью ии ию иям"
_RU_ADJ = "ый ий ой ая яя ое ее ые ие ого его ому ему ым им ую юю ых их ыми ими"
RU_ENDINGS = frozenset(["", *_RU_NOUN.split(), *_RU_ADJ.split()])

_KK_PLURAL = ["", *["лар", "лер", "дар", "дер", "тар", "тер"]]
_KK_POSSESSIVE = [
    "",
    *[
        "ы",
        "і",
        "сы",
        "сі",
        "ым",
        "ім",
        "м",
        "ың",
        "ің",
        "ң",
        "мыз",
        "міз",
        "ымыз",
        "іміз",
        "ңыз",
        "ңіз",
    ],
]
_KK_CASE = [
    "",
    *["ның", "нің", "дың", "дің", "тың", "тің", "н"],  # genitive
    *["ға", "ге", "қа", "ке", "на", "не", "а", "е"],  # dative
    *["ны", "ні", "ды", "ді", "ты", "ті"],  # accusative
    *["да", "де", "та", "те", "нда", "нде"],  # locative
    *["дан", "ден", "тан", "тен", "нан", "нен"],  # ablative
    *["мен", "бен", "пен"],  # instrumental
    *["дағы", "дегі", "тағы", "тегі", "ндағы", "ндегі"],  # "the one in"
]
KK_ENDINGS = frozenset(
    a + b + c for a, b, c in itertools.product(_KK_PLURAL, _KK_POSSESSIVE, _KK_CASE)
)
_KK_LETTERS = set("әғқңөұүһі")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def language_of(word: str, tag: str | None) -> str:
    """The label's language tag's base (en, kk, ru), or a guess from the script."""
    base = (tag or "").split("-")[0].lower()
    if base in {"en", "kk", "ru"}:
        return base
    if _CYRILLIC.search(word):
        return "kk" if _KK_LETTERS & set(word.lower()) else "ru"
    return "en"


@lru_cache(maxsize=65536)
def normal(word: str) -> str:
    """Lower case, ё as е, and American spelling for a Latin word."""
    w = word.lower().replace("ё", "е")
    if not w.isascii():
        return w
    base, plural = (w[:-1], "s") if w.endswith("s") and w[:-1] in _EN_SPELLING else (w, "")
    if base in _EN_SPELLING:
        return _EN_SPELLING[base] + plural
    w = re.sub(r"(?<=\w\w)our(s?)$", r"or\1", w)  # labour, neighbours
    return re.sub(r"isation(s?)$", r"ization\1", w)


def _endings_match(a: str, b: str, language: str) -> bool:
    if language == "en":
        return (a, b) in _EN_PAIRS or (b, a) in _EN_PAIRS
    endings = KK_ENDINGS if language == "kk" else RU_ENDINGS
    return a in endings and b in endings


@lru_cache(maxsize=262144)
def stem_length(label_word: str, text_word: str, language: str) -> int | None:
    """Length of the shared stem when ``text_word`` is a form of ``label_word``, else None.

    Equal words (after :func:`normal`) share their whole length.
    """
    a, b = normal(label_word), normal(text_word)
    if a == b:
        return len(a)
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    for cut in range(shared, MIN_STEM - 1, -1):
        if _endings_match(a[cut:], b[cut:], language):
            return cut
    return None


def index_key(word: str) -> str:
    """Words that may be forms of one another share this key (their stem's first letters)."""
    return normal(word)[:MIN_STEM]
