"""Turn names into URL slugs: lowercase ASCII letters, digits and single hyphens."""

from __future__ import annotations

import hashlib
import re
import unicodedata


def slugify(text: str, max_length: int = 80) -> str:
    """ "Ken Hanly" -> "ken-hanly"; accents are transliterated, other characters dropped.

    A name with no ASCII letter or digit left (say, in Arabic script) gets a stable
    ``x-<hash>`` slug instead of an empty one. Long slugs are cut at a hyphen.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not slug:
        return "x-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    if len(slug) > max_length:
        cut = slug.rfind("-", 0, max_length + 1)
        slug = slug[: cut if cut > 0 else max_length]
    return slug
