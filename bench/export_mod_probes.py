"""Export the moderation probe lists of the tests to `bench/riskdata/mod_extra.tsv` (training data for modstat).

The moderation model (`bench/train_modstat.py`) trains on a committed TSV rather than importing the tests; this
script regenerates that TSV from the probe lists of `tests/groups/test_claims_generalise.py` (HARMFUL,
EVERYDAY) and the parametrised lists of `tests/groups/test_claims.py`. Output is deterministic (file order,
duplicates dropped). Usage: `python -m bench.export_mod_probes`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "riskdata" / "mod_extra.tsv"


def _params(function) -> list:
    for mark in getattr(function, "pytestmark", []):
        if mark.name == "parametrize":
            return list(mark.args[1])
    return []


def rows() -> list[tuple[str, str]]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanshe.settings.test")
    django.setup()
    from tests.groups import test_claims as claims_tests
    from tests.groups import test_claims_generalise as fresh

    out: list[tuple[str, str]] = []
    out += [(f"mod:{category}", text) for category, text in fresh.HARMFUL]
    out += [("mod:notice", text) for text in fresh.EVERYDAY]
    out += [(f"mod:{category}", text) for text, category in
            _params(claims_tests.test_claim_shapes_beyond_the_base_are_held_with_their_category)]
    out += [("mod:private_data", text) for text, kind in
            _params(claims_tests.test_private_data_in_a_group_is_found) if kind]
    out += [("mod:notice", text) for text in _params(claims_tests.test_everyday_notices_and_chat_are_never_held)]
    out += [("mod:notice", text) for text in
            _params(claims_tests.test_everyday_chat_sharing_words_with_harmful_claims_is_not_held)]
    # The fresh harmful phrasings of test_claims carry no category: they are labelled here by hand, in order.
    fresh_categories = [
        "rumour", "rumour", "rumour", "unapproved_news", "panic", "unapproved_news", "rumour", "superstition",
        "superstition", "rumour", "rumour", "rumour", "rumour", "rumour", "panic", "superstition", "violence",
        "private_data", "rumour", "private_data", "rumour",
    ]
    texts = _params(claims_tests.test_fresh_phrasings_of_harmful_claims_are_held)
    assert len(texts) == len(fresh_categories), (len(texts), len(fresh_categories))
    out += [(f"mod:{category}", text) for category, text in zip(fresh_categories, texts, strict=True)]
    seen: set[str] = set()
    unique = []
    for label, text in out:
        if text not in seen and "\t" not in text and "\n" not in text:
            seen.add(text)
            unique.append((label, text))
    return unique


def main() -> int:
    lines = ["# Moderation probes exported from tests/groups/test_claims*.py by bench/export_mod_probes.py;",
             "# training data for bench/train_modstat.py only (label<TAB>text)."]
    lines += [f"{label}\t{text}" for label, text in rows()]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"写入 {OUT}：{len(lines) - 2} 行")
    return 0


if __name__ == "__main__":
    sys.exit(main())
