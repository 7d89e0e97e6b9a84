import pytest

from portal import phones


@pytest.mark.parametrize(
    "written",
    ["012 345 678", "+855 12 345 678", "012-345-678", "(012) 345678", "០១២ ៣៤៥ ៦៧៨"],
)
def test_a_cambodian_number_written_any_way_is_one_number(written: str) -> None:
    assert phones.international(written) == "+85512345678"


def test_a_number_abroad_keeps_its_country() -> None:
    assert phones.international("+66 81 234 5678") == "+66812345678"


@pytest.mark.parametrize("written", ["12345", "call me", "", "012 345 678 999 111"])
def test_what_cannot_be_dialled_is_refused(written: str) -> None:
    assert phones.international(written) is None
