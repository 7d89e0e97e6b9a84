"""The admin's agency form. Its fields are checked by services.clean_agency, the same
rules as a line of the CSV import, so the two never disagree."""

from __future__ import annotations

from wtforms import SelectMultipleField, StringField

from portal.forms import DigitsField, PortalForm


class AgencyForm(PortalForm):
    licence_number = StringField()
    name_en = StringField()
    name_km = StringField()
    licence_status = StringField()
    licence_issued_on = DigitsField()
    licence_expires_on = DigitsField()
    association = StringField()
    province = StringField()
    address = StringField()
    phone = DigitsField()
    email = StringField()
    # The ticked codes; an unknown one is named by clean_agency, in the CSV's words.
    destinations = SelectMultipleField(validate_choice=False)
    sectors = SelectMultipleField(validate_choice=False)

    def as_row(self) -> dict[str, str]:
        """The form as a line of the CSV import: ticked codes joined as "TH;MY"."""
        row = {field.name: field.data or "" for field in self}
        for name in ("destinations", "sectors"):
            row[name] = ";".join(self[name].data or [])
        return row
