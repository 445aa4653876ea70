"""BibTeX entries: the LaTeX encoding of their fields (build_scripts/exports.py)."""

from __future__ import annotations


def test_the_fast_latex_encoder_writes_what_pylatexenc_writes() -> None:
    import random

    from pylatexenc.latexencode import UnicodeToLatexEncoder

    from build_scripts.exports import _LATEX_ENCODER, _LATEX_PLAIN_RE

    rng = random.Random(3)
    alphabet = "abAZ09 !\"()*+,./:;=?@[]|'-`$&%#_^~{}\\<>éœ—"
    plain = 0
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        expected = UnicodeToLatexEncoder.unicode_to_latex(_LATEX_ENCODER, text)
        assert _LATEX_ENCODER.unicode_to_latex(text) == expected, repr(text)
        assert _LATEX_ENCODER.unicode_to_latex(text) == expected  # from the cache too
        plain += bool(_LATEX_PLAIN_RE.fullmatch(text))
    assert plain > 1000  # the fast path was taken, not only the encoder
