from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Anyone who signs in: entrepreneurs (keyed by CURP, no password) and registry staff."""

    curp = models.CharField(
        _("CURP"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Population registry key; set for people who sign in with e-identity."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, blank=True, default=""
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("file_applications", _("Can file company applications")),
            ("review_applications", _("Can review applications in the registry queue")),
            ("supervise_review", _("Can supervise the queue and reassign work")),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran a task for a given source (beat, a test, an operator)."""

    source = models.CharField(max_length=64, primary_key=True)
    seen_at = models.DateTimeField()
    runs = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.source} @ {self.seen_at.isoformat()}"
