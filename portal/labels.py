"""Enumerations whose values carry their label, declared together:
`woman = "woman", N_("Woman")`. The label is a gettext message, translated when it is
asked for, in the reader's language."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from portal import i18n


class LabelledEnum(StrEnum):
    """A StrEnum (stored and compared as its value) whose members have a label."""

    _value_: str
    msgid: str  # the label as written in the code: the catalogue's key

    # The documented way to give members more than a value (enum's "When to use __new__").
    # The default only lets type checkers accept a lookup, `Sex(value)`, which never comes here.
    def __new__(cls, value: str, msgid: str = "") -> Self:
        if not msgid:
            raise TypeError(f"{cls.__name__}.{value} needs a label")
        member = str.__new__(cls, value)
        member._value_ = value
        member.msgid = msgid
        return member

    @property
    def label(self) -> str:
        """The label in the reader's language."""
        return i18n.gettext(self.msgid)

    @classmethod
    def label_of(cls, value: str | None, default: str | None = None) -> str:
        """The label of a stored value; for a value that is none of ours, `default` or else
        the value itself."""
        try:
            return cls(value or "").label
        except ValueError:
            return (value or "") if default is None else default

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) options for a select, in the order declared."""
        return [(member.value, member.label) for member in cls]
