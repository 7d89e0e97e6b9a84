"""Complaints stand behind recommended sanctions: their factory serves these tests too."""

from tests.complaints.conftest import make_complaint  # noqa: F401 - a fixture
