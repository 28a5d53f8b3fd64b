"""What reaches the log: no e-mail bodies or addresses, no per-document progress chatter."""

from __future__ import annotations

import logging

from django.core.mail import send_mail

from portal import env


def test_console_email_url_uses_the_backend_that_only_logs():
    assert env.env_email("EMAIL_URL", "console://", {})["EMAIL_BACKEND"] == (
        "portal.mail.LoggedEmailBackend"
    )


def test_console_email_logs_its_subject_and_recipient_count_not_its_body(settings, caplog, capsys):
    settings.EMAIL_BACKEND = "portal.mail.LoggedEmailBackend"
    settings.DEBUG = False
    with caplog.at_level(logging.DEBUG, logger="portal.mail"):
        sent = send_mail(
            "Firma Tortillería Doña Mari",
            "Hola Ana Ramírez: firma aquí http://127.0.0.1:8000/solicitudes/x/firmas/",
            None,
            ["ana@example.mx", "carlos@example.mx"],
        )
    assert sent == 1
    records = [r for r in caplog.records if r.name == "portal.mail"]
    assert [(r.levelno, r.subject, r.recipients) for r in records] == [
        (logging.INFO, "Firma Tortillería Doña Mari", 2)
    ]
    assert "Ana Ramírez" not in caplog.text and "ana@example.mx" not in caplog.text
    assert "Ana Ramírez" not in capsys.readouterr().out  # nothing printed for the worker to log


def test_the_body_is_logged_at_debug_only_in_development(settings, caplog):
    settings.EMAIL_BACKEND = "portal.mail.LoggedEmailBackend"
    settings.DEBUG = True
    with caplog.at_level(logging.DEBUG, logger="portal.mail"):
        send_mail("Asunto", "el cuerpo", None, ["ana@example.mx"])
    assert [(r.levelno, getattr(r, "body", None)) for r in caplog.records][-1] == (
        logging.DEBUG,
        "el cuerpo",
    )


def test_weasyprint_and_fonttools_log_warnings_only():
    for name in ("weasyprint", "weasyprint.progress", "fontTools", "fontTools.subset"):
        assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING, name


def test_drawing_a_pdf_writes_no_info_lines(caplog):
    from companies.documents.rendering import write_pdf

    with caplog.at_level(logging.INFO):
        pdf = write_pdf("<html lang='es-MX'><body><h1>Constancia</h1><p>Texto</p></body></html>")
    assert pdf.startswith(b"%PDF")
    noisy = [r for r in caplog.records if r.name.startswith(("weasyprint", "fontTools"))]
    assert [r for r in noisy if r.levelno < logging.WARNING] == []
