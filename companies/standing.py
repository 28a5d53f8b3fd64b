"""Whether a company is in good standing: one function that every page, document and API reads.

For now the standing follows the company's status in the register alone. The annual report's
compliance (issue 14, item 5) feeds ``Standing.NOT_GOOD`` here later: an S.A.S. without its
report is still active, but not in good standing.
"""

from __future__ import annotations

from companies.models import Company, Standing

# A status the table does not know is never certified as good standing.
BY_STATUS: dict[str, Standing] = {
    "active": Standing.GOOD,
    "in_dissolution": Standing.IN_DISSOLUTION,
    "in_liquidation": Standing.IN_DISSOLUTION,
    "dissolved": Standing.DISSOLVED,
}


def standing(company: Company) -> Standing:
    """The company's standing in the register now."""
    return BY_STATUS.get(company.status, Standing.NOT_GOOD)
