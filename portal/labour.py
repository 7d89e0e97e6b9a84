"""Where Cambodian migrant workers go, the work they do there, and where they come from:
the lists that agency records and complaint forms choose from."""

from __future__ import annotations

from portal.i18n import N_

DESTINATIONS = {
    "TH": N_("Thailand"),
    "MY": N_("Malaysia"),
    "KR": N_("South Korea"),
    "JP": N_("Japan"),
    "SG": N_("Singapore"),
    "HK": N_("Hong Kong"),
    "TW": N_("Taiwan"),
    "SA": N_("Saudi Arabia"),
    "QA": N_("Qatar"),
    "AE": N_("United Arab Emirates"),
    "KW": N_("Kuwait"),
    "other": N_("Another country"),
}

SECTORS = {
    "construction": N_("Construction"),
    "agriculture": N_("Agriculture"),
    "fishing": N_("Fishing"),
    "manufacturing": N_("Manufacturing"),
    "domestic_work": N_("Domestic work"),
    "hospitality": N_("Hotels and restaurants"),
    "care": N_("Care work"),
    "other": N_("Other work"),
}

# Cambodia's 25 provinces (the capital included), by their English names.
PROVINCES = {
    "Banteay Meanchey": N_("Banteay Meanchey"),
    "Battambang": N_("Battambang"),
    "Kampong Cham": N_("Kampong Cham"),
    "Kampong Chhnang": N_("Kampong Chhnang"),
    "Kampong Speu": N_("Kampong Speu"),
    "Kampong Thom": N_("Kampong Thom"),
    "Kampot": N_("Kampot"),
    "Kandal": N_("Kandal"),
    "Kep": N_("Kep"),
    "Koh Kong": N_("Koh Kong"),
    "Kratie": N_("Kratie"),
    "Mondulkiri": N_("Mondulkiri"),
    "Oddar Meanchey": N_("Oddar Meanchey"),
    "Pailin": N_("Pailin"),
    "Phnom Penh": N_("Phnom Penh"),
    "Preah Sihanouk": N_("Preah Sihanouk"),
    "Preah Vihear": N_("Preah Vihear"),
    "Prey Veng": N_("Prey Veng"),
    "Pursat": N_("Pursat"),
    "Ratanakiri": N_("Ratanakiri"),
    "Siem Reap": N_("Siem Reap"),
    "Stung Treng": N_("Stung Treng"),
    "Svay Rieng": N_("Svay Rieng"),
    "Takeo": N_("Takeo"),
    "Tbong Khmum": N_("Tbong Khmum"),
}
