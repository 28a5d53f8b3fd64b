from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from portal.models import User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Identity"), {"fields": ("curp", "preferred_language")}),
    )
    list_display = ("username", "first_name", "last_name", "curp", "is_staff")
    search_fields = ("username", "first_name", "last_name", "curp", "email")
