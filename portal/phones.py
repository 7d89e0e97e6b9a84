"""Phone numbers as people write them: "012 345 678", "+855 12 345 678", "០១២ ៣៤៥ ៦៧៨".

libphonenumber (the `phonenumbers` package) knows Cambodia's numbering plan and reads
Khmer digits, so one function gives the form every part of the portal stores and compares.
"""

import phonenumbers

HOME_REGION = "KH"  # a number without a country code is a Cambodian one


def _parsed(text: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, HOME_REGION)
    except phonenumbers.NumberParseException:
        return None


def international(text: str) -> str | None:
    """The number in international form (+85512345678), or None when it is not a number
    that can be dialled (too short, an unknown prefix, letters)."""
    number = _parsed(text)
    if number is None or not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_landline(text: str) -> bool:
    """Whether the number is a fixed line (023 990 123 in Phnom Penh, say), which no text
    message reaches. A number that could be either (as in the USA) is not one."""
    number = _parsed(text)
    return (
        number is not None
        and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE
    )
