"""Made-up complainants for the demo cases and the bulk rows: Khmer names, their stories,
how often each ground is given, and the outcomes decided cases end with."""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal
from typing import Any

from portal.complaints.states import OPEN, Status
from portal.complaints.tables import (
    Ground,
    Outcome,
    Sanction,
    Sex,
)
from portal.labour import DESTINATIONS, PROVINCES, SECTORS

FAMILY_NAMES = ["Sok", "Chan", "Keo", "Prak", "Ouk", "Yin", "Sam", "Heng", "Meas", "Chea",
                "Lim", "Nhem", "Pen", "Srey", "Touch", "Vong", "Khim", "Long", "Mao", "Hun"]  # fmt: skip
GIVEN_NAMES = {
    Sex.woman: ["Sreymom", "Dara", "Bopha", "Chenda", "Sophea", "Kunthea", "Pisey", "Sokha",
                "Rachana", "Leakhena", "Sreyneang", "Malis"],
    Sex.man: ["Vannak", "Rithy", "Sokun", "Piseth", "Kosal", "Veasna", "Samnang", "Chantha",
              "Vuthy", "Sovann", "Makara", "Bunthoeun"],
}  # fmt: skip
STORIES = {
    Ground.delayed_departure: "I paid and signed in {month} but the agency has still not sent me "
    "abroad. They keep saying next month.",
    Ground.excessive_fees: "The agency took {amount} dollars for the medical check, training and "
    "passport. I borrowed it from a microfinance lender and cannot repay.",
    Ground.contract_substitution: "In Cambodia I signed a contract for a factory job. When I "
    "arrived I was given another contract for farm work at a lower wage.",
    Ground.unpaid_wages: "The employer has not paid me for three months. The agency does not "
    "answer my calls.",
    Ground.documents_retained: "The agency's broker kept my passport and says he will return it "
    "only when I pay another fee.",
    Ground.abuse: "The supervisor shouts at us and hit a co-worker. We are afraid to complain.",
    Ground.forced_labour: "We work on a boat for months without coming ashore. The captain keeps "
    "our documents and we cannot leave.",
    Ground.other: "The agency promised free training but charged us for it at the end.",
}
# How often each ground is given (the common ones first, as partners report them).
GROUND_WEIGHTS = {
    Ground.delayed_departure: 20,
    Ground.excessive_fees: 25,
    Ground.contract_substitution: 10,
    Ground.unpaid_wages: 20,
    Ground.documents_retained: 12,
    Ground.abuse: 5,
    Ground.forced_labour: 3,
    Ground.other: 5,
}
REFERENCE_LETTERS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PROVINCE_CODES = list(PROVINCES)
DESTINATION_CODES = [code for code in DESTINATIONS if code != "other"]
SECTOR_CODES = list(SECTORS)


def pick(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def random_reference(rng: random.Random, received_at: datetime) -> str:
    year = received_at.year % 100
    return f"C{year:02d}-" + "".join(rng.choice(REFERENCE_LETTERS) for _ in range(8))


def random_person(rng: random.Random) -> tuple[str, Sex]:
    sex = rng.choices([Sex.woman, Sex.man, Sex.not_said], weights=[52, 45, 3])[0]
    given = GIVEN_NAMES[sex if sex != Sex.not_said else rng.choice([Sex.woman, Sex.man])]
    return f"{rng.choice(FAMILY_NAMES)} {rng.choice(given)}", sex


def random_story(rng: random.Random, grounds: list[Ground], received_at: datetime) -> str:
    return " ".join(
        STORIES[g].format(month=received_at.strftime("%B"), amount=rng.randrange(800, 3000, 50))
        for g in grounds
    )


def random_grounds(rng: random.Random) -> list[Ground]:
    first = pick(rng, GROUND_WEIGHTS)
    second = pick(rng, GROUND_WEIGHTS) if rng.random() < 0.3 else first
    return [first] if second == first else [first, second]


def random_outcome(rng: random.Random, status: Status) -> dict[str, Any]:
    """Outcome columns for a decided (or closed) case."""
    if status in OPEN:
        return {"outcome": "", "compensation": None, "currency": "", "sanction": ""}
    outcome = {
        Status.resolved: rng.choice([Outcome.settlement, Outcome.compensation]),
        Status.referred: rng.choice([Outcome.court, Outcome.other_authority]),
        Status.dismissed: Outcome.dismissed,
        Status.withdrawn: Outcome.withdrawn,
        Status.closed: rng.choice(list(Outcome)),
    }[status]
    paid = outcome in (Outcome.settlement, Outcome.compensation) and rng.random() < 0.7
    amount = Decimal(rng.randrange(100, 3000, 10)) if paid else None
    sanction = rng.choices(list(Sanction), weights=[70, 20, 8, 2])[0]
    return {
        "outcome": outcome,
        "compensation": amount,
        "currency": "USD" if paid else "",
        "sanction": sanction,
    }
