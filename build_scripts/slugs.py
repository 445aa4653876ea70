"""Turn names and titles into URL slugs: lowercase ASCII letters, digits and single hyphens."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

MAX_LENGTH = 80

# Letters NFKD does not decompose into ASCII.
_TRANSLIT = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l"}
    | {"Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ı": "i"}
)


@functools.lru_cache(maxsize=1 << 14)  # the same authors and publications, article after article
def slugify(text: str, max_length: int = MAX_LENGTH, fallback: str = "x") -> str:
    """ "Ken Hanly" -> "ken-hanly"; accents transliterated, apostrophes dropped.

    Text with no ASCII letter or digit left (Greek, Arabic...) gets the stable name
    ``<fallback>-<hash>``. A long slug is cut at a hyphen.
    """
    folded = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = re.sub(r"['’]", "", folded.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = (cut.rsplit("-", 1)[0] if "-" in cut else slug[:max_length]).strip("-")
    if not slug:
        slug = f"{fallback}-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return slug
