"""The sample COC checklist that ships with the portal: 12 articles, about 50 indicators,
every text in English and Khmer."""

from __future__ import annotations

from portal.checklists import checklist_file
from portal.demo import SAMPLE_CHECKLIST


def test_the_sample_checklist_is_complete_in_both_languages():
    parsed = checklist_file.parse(SAMPLE_CHECKLIST.read_text(encoding="utf-8"))
    assert len(parsed["sections"]) == 12
    indicators = [i for s in parsed["sections"] for i in s["indicators"]]
    assert 45 <= len(indicators) <= 55
    assert sum(i["max_score"] for i in indicators) == 2 * len(indicators)
    for section in parsed["sections"]:
        assert all(section["title"])
    for i in indicators:
        assert all(i["text"]) and all(i["guidance"]) and all(i["evidence_hint"]), i["code"]
