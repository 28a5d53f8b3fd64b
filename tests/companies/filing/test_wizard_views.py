import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from companies.models import Application, NameReservation
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def step_url(application: Application, slug: str) -> str:
    return reverse("companies:step", args=[application.public_id, slug])


@pytest.fixture
def signed_in(client: Client, applicant) -> Client:
    client.force_login(applicant)
    return client


def test_starting_an_application_creates_a_draft_and_opens_the_first_step(signed_in, applicant):
    response = signed_in.post(reverse("companies:new"))
    application = Application.objects.get(filer=applicant)
    assert response.url == step_url(application, "forma")
    assert application.status == "draft"


def test_legal_form_step_compares_the_forms_and_saves_the_choice(signed_in, applicant):
    application = ApplicationFactory(filer=applicant, legal_form=None)
    page = signed_in.get(step_url(application, "forma")).content.decode()
    assert "S. de R.L. de C.V." in page and "Gratis" in page and "MXN 1,850.00" in page
    response = signed_in.post(step_url(application, "forma"), {"legal_form": ""})
    assert "Elige el tipo de sociedad que quieres abrir." in response.content.decode()
    from companies.models import LegalForm

    sa = LegalForm.objects.get(code="sa-de-cv")
    response = signed_in.post(step_url(application, "forma"), {"legal_form": sa.pk})
    application.refresh_from_db()
    assert application.legal_form == sa
    assert response.url == step_url(application, "nombre")


def test_an_accepted_name_is_reserved_for_the_application(signed_in, applicant):
    application = ApplicationFactory(filer=applicant)
    response = signed_in.post(step_url(application, "nombre"), {"name": "Tortillería Doña Mari"})
    assert response.status_code == 302
    reservation = NameReservation.objects.get(application=application)
    assert (reservation.normalised_name, reservation.status) == ("TORTILLERIA DONA MARI", "active")


def test_a_refused_name_is_kept_with_the_reason(signed_in, applicant):
    application = ApplicationFactory(filer=applicant)
    response = signed_in.post(step_url(application, "nombre"), {"name": "Banco Querétaro Norte"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "“BANCO” está reservada" in page
    application.refresh_from_db()
    assert application.proposed_name == "Banco Querétaro Norte"
    assert not NameReservation.objects.filter(application=application).exists()


def test_changing_the_name_releases_the_previous_reservation(signed_in, applicant):
    application = ApplicationFactory(filer=applicant)
    signed_in.post(step_url(application, "nombre"), {"name": "Primera Idea"})
    signed_in.post(step_url(application, "nombre"), {"name": "Segunda Idea"})
    statuses = dict(NameReservation.objects.values_list("name", "status"))
    assert statuses == {"Primera Idea": "released", "Segunda Idea": "active"}


def test_name_check_answers_htmx_with_the_fragment_and_others_with_the_page(signed_in, applicant):
    application = ApplicationFactory(filer=applicant)
    ApplicationFactory(filer=applicant, proposed_name="x")
    url = reverse("companies:name_check", args=[application.public_id]) + "?name=Gobierno+Digital"
    fragment = signed_in.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.strip().startswith('<div id="name-verdict"')
    assert "sugiere un organismo público" in fragment
    page = signed_in.get(url).content.decode()
    assert "<html" in page and "sugiere un organismo público" in page


def test_office_must_be_in_queretaro(signed_in, applicant):
    application = ApplicationFactory(filer=applicant)
    data = {
        "municipality": "014",
        "street": "Av. Zaragoza",
        "exterior_number": "10",
        "neighbourhood": "Centro",
        "postal_code": "06000",
    }
    response = signed_in.post(step_url(application, "domicilio"), data)
    assert "empiezan con 76" in response.content.decode()
    response = signed_in.post(step_url(application, "domicilio"), {**data, "postal_code": "76000"})
    application.refresh_from_db()
    assert (application.get_municipality_display(), application.postal_code) == (
        "Querétaro",
        "76000",
    )


def test_notary_step_exists_only_for_notarised_forms(signed_in, applicant):
    from companies.models import LegalForm

    sas = ApplicationFactory(filer=applicant)
    assert signed_in.get(step_url(sas, "notaria")).status_code == 404
    sa = ApplicationFactory(filer=applicant, legal_form=LegalForm.objects.get(code="sa-de-cv"))
    assert signed_in.get(step_url(sa, "notaria")).status_code == 200


def sa_named(signed_in, applicant) -> Application:
    """A draft S.A. de C.V. whose name the applicant reserved today, in the name step."""
    from companies.models import LegalForm

    sa = ApplicationFactory(filer=applicant, legal_form=LegalForm.objects.get(code="sa-de-cv"))
    signed_in.post(step_url(sa, "nombre"), {"name": "Constructora Jurica"})
    return sa


def short_date(day) -> str:
    """A date as the English pages print it in short: "2 Dec 2026"."""
    return f"{day.day} {day:%b %Y}"


def deed(date: str) -> dict[str, str]:
    return {"notary_number": "5", "deed_number": "18250", "deed_date": date}


def test_the_deed_step_refuses_a_date_in_the_future(signed_in, in_english, applicant):
    sa = sa_named(signed_in, applicant)
    response = signed_in.post(step_url(sa, "notaria"), deed("2999-01-01"))
    today = timezone.localdate()
    assert response.status_code == 200
    assert (
        f"The deed cannot be dated after today ({short_date(today)}). Write the date on the deed."
        in response.content.decode()
    )
    assert f'max="{today.isoformat()}"' in response.content.decode()
    sa.refresh_from_db()
    assert sa.deed_date is None


def test_the_deed_step_refuses_a_date_before_the_name_was_reserved(
    signed_in, in_english, applicant
):
    sa = sa_named(signed_in, applicant)
    response = signed_in.post(step_url(sa, "notaria"), deed("2015-06-10"))
    assert (
        f"You reserved the name on {short_date(timezone.localdate())}, and a notary signs the deed "
        "only after that. Check the date on the deed; if it really is earlier, ask the notary."
    ) in response.content.decode()
    sa.refresh_from_db()
    assert sa.deed_date is None


def test_the_deed_step_saves_a_deed_signed_since_the_reservation(signed_in, applicant):
    sa = sa_named(signed_in, applicant)
    response = signed_in.post(step_url(sa, "notaria"), deed(timezone.localdate().isoformat()))
    assert response.status_code == 302
    sa.refresh_from_db()
    assert (sa.notary_number, sa.deed_number, sa.deed_date) == (5, 18250, timezone.localdate())


@pytest.mark.parametrize(
    "slug", ["forma", "nombre", "domicilio", "objeto", "estatutos", "revision"]
)
def test_another_entrepreneur_gets_404_on_every_step(client, applicant, other_applicant, slug):
    application = ApplicationFactory(filer=applicant)
    client.force_login(other_applicant)
    assert client.get(step_url(application, slug)).status_code == 404
    assert client.post(step_url(application, slug), {}).status_code == 404


def test_another_entrepreneur_gets_404_on_the_name_fragment(client, applicant, other_applicant):
    application = ApplicationFactory(filer=applicant)
    client.force_login(other_applicant)
    url = reverse("companies:name_check", args=[application.public_id]) + "?name=Algo"
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404


def test_staff_cannot_file_applications(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("companies:dashboard")).status_code == 403
    assert client.post(reverse("companies:new")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("companies:dashboard"))
    assert response.status_code == 302 and "/entrar/" in response.url


def test_dashboard_lists_my_drafts_only(signed_in, applicant, other_applicant):
    ApplicationFactory(filer=applicant, proposed_name="Mi Empresa")
    ApplicationFactory(filer=other_applicant, proposed_name="Ajena")
    page = signed_in.get(reverse("companies:dashboard")).content.decode()
    assert "Mi Empresa" in page and "Ajena" not in page


def test_purpose_accepts_only_scian_2023_codes(signed_in, applicant):
    application = ApplicationFactory(filer=applicant)
    data = {
        "purpose": "Preparación y venta de tacos y tortas al público.",
        "activity_codes": "722514, 999999",
    }
    response = signed_in.post(step_url(application, "objeto"), data)
    assert "no están en el SCIAN 2023: 999999" in response.content.decode()
    signed_in.post(step_url(application, "objeto"), {**data, "activity_codes": "722514 722514"})
    application.refresh_from_db()
    assert application.activity_codes == ["722514"]


def test_scian_search_answers_htmx_with_results_only(signed_in, applicant):
    application = ApplicationFactory(filer=applicant)
    url = step_url(application, "objeto") + "?q=restaurantes+tacos"
    fragment = signed_in.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.strip().startswith('<div id="scian-results"') and "722514" in fragment
    assert "722514" in signed_in.get(url).content.decode()


def _forms_submitting_with_get(page: str) -> list[str]:
    """The forms of a page that a button can send with GET, each as its HTML, to look inside."""
    from html.parser import HTMLParser

    class Forms(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.forms: list[tuple[set[str], list[str]]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found = dict(attrs)
            if tag == "form":
                self.forms.append(({(found.get("method") or "get").lower()}, []))
            elif self.forms:
                methods, inside = self.forms[-1]
                if found.get("formmethod"):
                    methods.add((found["formmethod"] or "").lower())
                inside.append(found.get("name") or "")

    parser = Forms()
    parser.feed(page)
    return [" ".join(inside) for methods, inside in parser.forms if "get" in methods]


def test_the_name_step_puts_no_csrf_token_in_a_form_sent_with_get(signed_in, applicant):
    application = ApplicationFactory(filer=applicant, proposed_name="Tortillería Doña Mari")
    page = signed_in.get(step_url(application, "nombre")).content.decode()
    assert "csrfmiddlewaretoken" in page
    assert not [f for f in _forms_submitting_with_get(page) if "csrfmiddlewaretoken" in f]


def test_the_name_check_without_javascript_posts_with_the_token_and_shows_the_verdict(applicant):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(applicant)
    application = ApplicationFactory(filer=applicant)
    check = reverse("companies:name_check", args=[application.public_id])
    page = browser.get(step_url(application, "nombre")).content.decode()
    assert f'formaction="{check}"' in page
    assert browser.post(check, {"name": "Gobierno Digital"}).status_code == 403
    token = browser.cookies["csrftoken"].value
    response = browser.post(check, {"name": "Gobierno Digital", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert "sugiere un organismo público" in response.content.decode()
    assert 'value="Gobierno Digital"' in response.content.decode()
    application.refresh_from_db()
    assert application.proposed_name != "Gobierno Digital"


def test_the_articles_step_keeps_the_chosen_options_and_nothing_else(signed_in, applicant):
    application = ApplicationFactory(filer=applicant)
    chosen = {
        "duration": "fixed",
        "duration_years": 30,
        "foreigners": "exclusion",
        "share_transfer": "free",
        "fiscal_year": "calendar",
    }
    response = signed_in.post(step_url(application, "estatutos"), {**chosen, "other": "x"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.articles == chosen
