"""An agency's province: one of Cambodia's 25 (portal.labour.PROVINCES, the list complaints
use too), stored as its code and shown in the reader's language. Text written another way
(a CSV cell, a value typed before the list existed) is read by `code_for`."""

from __future__ import annotations

import re
import unicodedata

from portal.i18n import gettext as _
from portal.labour import PROVINCES

# Each province's name in Khmer and the other ways its name is commonly written in Latin
# letters (romanisations in use by ministries, maps and the old free-text entries).
OTHER_SPELLINGS = {
    "Banteay Meanchey": ("បន្ទាយមានជ័យ", "Banteay Mean Chey", "Banteay Mean Chay"),
    "Battambang": ("បាត់ដំបង", "Batdambang", "Battam Bang"),
    "Kampong Cham": ("កំពង់ចាម", "Kompong Cham"),
    "Kampong Chhnang": ("កំពង់ឆ្នាំង", "Kompong Chhnang"),
    "Kampong Speu": ("កំពង់ស្ពឺ", "Kompong Speu", "Kompong Spueu"),
    "Kampong Thom": ("កំពង់ធំ", "Kompong Thom"),
    "Kampot": ("កំពត", "Kâmpôt"),
    "Kandal": ("កណ្ដាល",),
    "Kep": ("កែប", "Kaeb", "Krong Kep"),
    "Koh Kong": ("កោះកុង", "Kaoh Kong"),
    "Kratie": ("ក្រចេះ", "Kracheh", "Kratié"),
    "Mondulkiri": ("មណ្ឌលគិរី", "Mondol Kiri", "Mondul Kiri"),
    "Oddar Meanchey": ("ឧត្ដរមានជ័យ", "Otdar Meanchey", "Oddar Mean Chey", "Otdar Mean Chey"),
    "Pailin": ("ប៉ៃលិន", "Krong Pailin"),
    "Phnom Penh": ("ភ្នំពេញ", "PP", "Phnom Penh Capital", "Phnompenh"),
    "Preah Sihanouk": ("ព្រះសីហនុ", "Sihanoukville", "Kampong Som", "Kompong Som"),
    "Preah Vihear": ("ព្រះវិហារ",),
    "Prey Veng": ("ព្រៃវែង",),
    "Pursat": ("ពោធិ៍សាត់", "Pouthisat", "Posat"),
    "Ratanakiri": ("រតនគិរី", "Ratanak Kiri", "Rattanakiri", "Ratanakkiri"),
    "Siem Reap": ("សៀមរាប", "Siemreap", "Siem Riep"),
    "Stung Treng": ("ស្ទឹងត្រែង", "Stoeng Treng", "Steung Treng"),
    "Svay Rieng": ("ស្វាយរៀង",),
    "Takeo": ("តាកែវ", "Takev", "Ta Keo"),
    "Tbong Khmum": ("ត្បូងឃ្មុំ", "Tboung Khmum", "Tbaung Khmum"),
}

# Words around a name that say what it is, not which one it is.
_KIND_WORDS = re.compile(r"\b(province|provincial|capital|city|khaet|khett|krong)\b")
_KHMER_KIND_WORDS = ("រាជធានី", "ខេត្ត", "ក្រុង")


def _key(text: str) -> str:
    """A spelling reduced to what tells provinces apart: lower-case letters without marks,
    spaces or kind words; Khmer without spaces, with one form of the subscript da/ta."""
    text = unicodedata.normalize("NFC", text).casefold().replace("\u200b", "")
    text = text.replace("\u17d2\u178a", "\u17d2\u178f")  # coeng da, often typed as coeng ta
    for word in _KHMER_KIND_WORDS:
        text = text.removeprefix(word)
    text = _KIND_WORDS.sub(" ", text)
    # Latin accents only (â → a): Khmer vowel signs are marks too, and tell names apart.
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not "\u0300" <= c <= "\u036f")
    return "".join(c for c in text if c.isalnum()).replace("kompong", "kampong")


_CODES = {
    _key(spelling): code
    for code in PROVINCES
    for spelling in (code, *OTHER_SPELLINGS.get(code, ()))
}


def code_for(text: str) -> str | None:
    """The province code `text` names ("" for no province), or None when it names none."""
    if not text.strip():
        return ""
    return _CODES.get(_key(text))


def label(stored: str) -> str:
    """A stored province in the reader's language; a value not (yet) in the list as it is."""
    return _(PROVINCES[stored]) if stored in PROVINCES else stored


def is_unlisted(stored: str) -> bool:
    """A value kept from before the list, which an admin still has to choose a code for."""
    return bool(stored) and stored not in PROVINCES
