"""The filing tests call the second founder by his name."""

import pytest


@pytest.fixture
def carlos(other_applicant):
    """Carlos Eduardo Mendoza Reséndiz, Ana's co-founder in ``complete_application``."""
    return other_applicant
