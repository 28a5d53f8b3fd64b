"""Admin for the agency API: the allowlist per service, and the request log (read-only)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from companies.api.access import forget_allowlist, subsystem_id
from companies.models import AgencyAccess, AgencyRequest


class AgencyAccessForm(forms.ModelForm):
    class Meta:
        model = AgencyAccess
        fields = ["client", "service", "active", "note"]

    def clean_client(self) -> str:
        """Stored as X-Road encodes it, so it compares equal to the header's canonical form."""
        client = subsystem_id(self.cleaned_data["client"].strip())
        if client is None:
            raise forms.ValidationError(
                _("Write the client subsystem as INSTANCE/CLASS/MEMBER/SUBSYSTEM.")
            )
        return client


@admin.register(AgencyAccess)
class AgencyAccessAdmin(admin.ModelAdmin):
    form = AgencyAccessForm
    list_display = ["client", "service", "active", "note", "created_at"]
    list_filter = ["service", "active"]
    search_fields = ["client", "note"]

    # The API caches the allowlist (``access.Allowlist``): this process forgets it at once, the
    # other workers read it again within ``ALLOWLIST_SECONDS``.
    def save_model(
        self, request: HttpRequest, obj: AgencyAccess, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        forget_allowlist()

    def delete_model(self, request: HttpRequest, obj: AgencyAccess) -> None:
        super().delete_model(request, obj)
        forget_allowlist()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AgencyAccess]) -> None:
        super().delete_queryset(request, queryset)
        forget_allowlist()


@admin.register(AgencyRequest)
class AgencyRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "client", "service", "method", "path", "status", "duration_ms"]
    list_filter = ["service", "status"]
    search_fields = ["x_road_id", "client", "user_id", "path"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AgencyRequest | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AgencyRequest | None = None) -> bool:
        return False
