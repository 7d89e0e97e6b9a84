"""The accounts forms: sign in, change one's password, and the admin's new account.

The rules that need the database or hold for `portal create-user` too (an address already
taken, a licence in the registry, the password's length) stay in the services."""

from __future__ import annotations

from dataclasses import asdict

from wtforms import HiddenField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import EqualTo

from portal.accounts.editing import Profile
from portal.accounts.services import NewUser
from portal.forms import PortalForm, _l


class LoginForm(PortalForm):
    email = StringField(default="")  # a form sent without the field is a wrong sign-in
    password = PasswordField(default="")
    next = HiddenField()  # where the visitor was going before being asked to sign in


class PasswordForm(PortalForm):
    current_password = PasswordField()
    new_password = PasswordField()
    repeat_password = PasswordField(
        validators=[EqualTo("new_password", _l("The two new passwords are not the same."))]
    )


class UserForm(PortalForm):
    """An account's details, as the admin changes them."""

    email = StringField()
    full_name = StringField()
    role = StringField()
    agency = StringField()  # the agency's licence number
    organisation = StringField()
    organisation_kind = StringField(default="ngo")
    constituency = StringField()
    # Checked against the list of provinces in the service (with the role's other rules).
    provinces = SelectMultipleField(validate_choice=False)

    def profile(self) -> Profile:
        return Profile(
            email=self.email.data or "",
            full_name=self.full_name.data or "",
            role=self.role.data or "",
            agency_licence=self.agency.data or "",
            organisation_name=self.organisation.data or "",
            organisation_kind=self.organisation_kind.data or "ngo",
            constituency=self.constituency.data or "",
            provinces=tuple(self.provinces.data or ()),
        )


class NewUserForm(UserForm):
    password = PasswordField()

    def new_user(self) -> NewUser:
        return NewUser(password=self.password.data or "", **asdict(self.profile()))
