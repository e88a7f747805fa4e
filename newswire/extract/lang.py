"""Language detection and stop-word lists.

Stop-word density is the strongest single signal separating prose from
navigation, and it needs the page's language; both live here.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import re
from pathlib import Path

logger = logging.getLogger(__name__)

WORD_RE = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)

# ISO 639-1 -> jusText stop-list file name, where the English name differs or is ambiguous.
_STOPLIST_NAMES = {
    "nb": "Norwegian_Bokmal",
    "no": "Norwegian_Bokmal",
    "nn": "Norwegian_Nynorsk",
    "el": "Greek",
    "ms": "Malay",
    "fa": "Persian",
    "pa": "Western_Panjabi",
    "ky": "Kyrgyz",
    "ht": "Haitian",
    "fy": "West_Frisian",
    "sh": "Serbo_Croatian",
}


def _stoplist_dir() -> Path | None:
    # find_spec does not execute the package, so this works even when justext's own
    # import fails (it needs lxml_html_clean).
    spec = importlib.util.find_spec("justext")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "stoplists"
    return path if path.is_dir() else None


@functools.lru_cache(maxsize=64)
def stopwords(lang: str | None) -> frozenset[str]:
    """jusText's stop words for an ISO 639-1 code; empty when unknown."""
    if not lang:
        return frozenset()
    directory = _stoplist_dir()
    if directory is None:
        return frozenset()
    name = _STOPLIST_NAMES.get(lang)
    if name is None:
        try:
            import pycountry

            entry = pycountry.languages.get(alpha_2=lang)
            name = entry.name.split(" (")[0].split(";")[0].replace(" ", "_") if entry else None
        except (ImportError, LookupError, AttributeError):  # pragma: no cover - pycountry optional
            name = None
    if name is None:
        return frozenset()
    path = directory / f"{name}.txt"
    if not path.exists():
        return frozenset()
    words = path.read_text(encoding="utf-8").split()
    return frozenset(w.lower() for w in words)


@functools.lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, *, min_confidence: float = 0.5, max_chars: int = 1500) -> str | None:
    """ISO 639-1 code of the text via py3langid, or None when unsure or too short.

    A 1,500-character sample is as reliable as the full text for articles and
    keeps detection from dominating extraction time.
    """
    sample = text[:max_chars]
    if len(WORD_RE.findall(sample)) < 3 and len(sample.strip()) < 20:
        return None
    try:
        lang, prob = _identifier().classify(sample)
    except Exception:  # pragma: no cover - defensive
        logger.exception("language detection failed")
        return None
    if prob < min_confidence:
        return None
    return str(lang)
