"""The portal's roles as groups, each with the permissions it needs.

Groups are kept in step with this table after every migration, so a fresh database and an
old one end up with the same roles.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db.models import QuerySet

from portal.models import User

ENTREPRENEURS = "entrepreneurs"
CLERKS = "clerks"
SUPERVISORS = "supervisors"
ADMINS = "admins"

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    ENTREPRENEURS: ("portal.file_applications",),
    CLERKS: ("portal.review_applications",),
    SUPERVISORS: ("portal.review_applications", "portal.supervise_review"),
    ADMINS: (
        "portal.review_applications",
        "portal.supervise_review",
        "portal.view_user",
        "portal.add_user",
        "portal.change_user",
        "auth.view_group",
    ),
}


def clerks() -> QuerySet[User]:
    """The people who review applications, to assign work to or count: the clerks and the
    supervisors with an active account, by name."""
    return (
        User.objects.filter(groups__name__in=[CLERKS, SUPERVISORS], is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def sync_roles() -> None:
    # Our post_migrate handler may run before auth's own one has created the permissions.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for name, dotted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set([_permission(code) for code in dotted])


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def sync_roles_after_migrate(**kwargs: Any) -> None:
    sync_roles()
