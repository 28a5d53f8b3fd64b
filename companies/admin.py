"""Admin for the agency API: the allowlist per service, the request log (read-only), the
agencies' subscriptions (their lag and failures, replay) and the identity-use alerts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from companies import jobs, outbox
from companies.api.access import forget_allowlist, subsystem_id
from companies.models import (
    AgencyAccess,
    AgencyRequest,
    AgencyService,
    AgencySubscription,
    IdentityAlert,
    Municipality,
    RegisterChange,
    SubscriptionDelivery,
)
from companies.push import delivery, lag
from xroad_client import ServiceId
from xroad_client.errors import IdentifierError


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


class AgencySubscriptionForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("kinds of change"),
        choices=RegisterChange.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every kind."),
    )
    municipalities = forms.MultipleChoiceField(
        label=_("municipalities"),
        choices=Municipality.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: all of them."),
    )
    replay_from = forms.IntegerField(
        label=_("Replay from cursor"),
        min_value=0,
        required=False,
        help_text=_(
            "Send again every change after this cursor (0: from the start), under new "
            "idempotency keys."
        ),
    )

    class Meta:
        model = AgencySubscription
        fields = ["client", "service", "path", "kinds", "municipalities", "active", "cursor"]
        help_texts = {
            "cursor": _("The last change already taken: a new subscription starts after it."),
        }

    def clean_client(self) -> str:
        client = subsystem_id(self.cleaned_data["client"].strip())
        if client is None:
            raise forms.ValidationError(
                _("Write the client subsystem as INSTANCE/CLASS/MEMBER/SUBSYSTEM.")
            )
        allowed = AgencyAccess.objects.filter(
            client=client, service=AgencyService.CHANGES, active=True
        )
        if not allowed.exists():
            raise forms.ValidationError(
                _("Allow this subsystem the change feed first (agency access).")
            )
        return client

    def clean_service(self) -> str:
        try:
            service = ServiceId.decode(self.cleaned_data["service"].strip())
        except IdentifierError as error:
            raise forms.ValidationError(
                _("Write the service as INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE.")
            ) from error
        return service.encode()


@admin.register(AgencySubscription)
class AgencySubscriptionAdmin(admin.ModelAdmin):
    form = AgencySubscriptionForm
    list_display = [
        "client",
        "service",
        "active",
        "cursor",
        "changes_behind",
        "oldest_waiting",
        "failures",
        "last_error",
        "next_attempt_at",
        "last_delivered_at",
    ]
    list_filter = ["active"]
    search_fields = ["client", "service"]
    readonly_fields = ["round", "failures", "last_error", "next_attempt_at", "last_delivered_at"]
    actions = ["replay_from_the_start", "send_now"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        latest = RegisterChange.objects.order_by("-pk").values_list("pk", flat=True).first()
        return {**super().get_changeform_initial_data(request), "cursor": latest or 0}

    @admin.display(description=_("changes behind"))
    def changes_behind(self, subscription: AgencySubscription) -> int:
        return lag.lag_of(subscription).behind

    @admin.display(description=_("oldest waiting"))
    def oldest_waiting(self, subscription: AgencySubscription) -> str:
        oldest = lag.lag_of(subscription).oldest
        return "—" if oldest is None else str(timedelta(seconds=int(oldest.total_seconds())))

    def save_model(
        self, request: HttpRequest, obj: AgencySubscription, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        replay_from = form.cleaned_data.get("replay_from")
        if replay_from is not None:
            delivery.replay(obj.pk, after=replay_from)

    @admin.action(description=_("Replay from the start (new keys)"))
    def replay_from_the_start(
        self, request: HttpRequest, queryset: QuerySet[AgencySubscription]
    ) -> None:
        for subscription in queryset:
            delivery.replay(subscription.pk, after=0)

    @admin.action(description=_("Send what is waiting now"))
    def send_now(self, request: HttpRequest, queryset: QuerySet[AgencySubscription]) -> None:
        queryset.update(next_attempt_at=None)
        with transaction.atomic():
            outbox.enqueue(
                *[jobs.push_to_subscriber(pk) for pk in queryset.values_list("pk", flat=True)]
            )


@admin.register(SubscriptionDelivery)
class SubscriptionDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "key",
        "subscription",
        "change",
        "attempts",
        "first_attempt_at",
        "delivered_at",
        "http_status",
        "last_error",
    ]
    list_filter = [("delivered_at", admin.EmptyFieldListFilter), "subscription"]
    search_fields = ["key", "x_road_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: SubscriptionDelivery | None = None
    ) -> bool:
        return False


@admin.register(IdentityAlert)
class IdentityAlertAdmin(admin.ModelAdmin):
    list_display = [
        "application",
        "curp",
        "name",
        "email",
        "created_at",
        "reported_at",
        "released_at",
    ]
    list_filter = [("reported_at", admin.EmptyFieldListFilter)]
    search_fields = ["curp", "email", "application__reference"]
    exclude = ["nonce"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: IdentityAlert | None = None) -> bool:
        return False
