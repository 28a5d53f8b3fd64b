from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompaniesConfig(AppConfig):
    name = "companies"
    verbose_name = _("Companies")

    def ready(self) -> None:
        from companies.signatures.names import accept_sat_names

        accept_sat_names()  # e.firma certificates parse in asn1crypto and pyHanko
