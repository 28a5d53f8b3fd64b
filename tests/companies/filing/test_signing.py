"""The signatures page states what is true, and submission confirms a fresh payment with the
payments registry before it refuses."""

import pytest
from django.urls import reverse

from companies import workflow
from tests.conftest import fresh_login
from tests.factories import complete_application, signs_as

pytestmark = pytest.mark.django_db


def sign_as(client, person, application):
    signs_as(application, person)


def signatures_page(client, person, application) -> str:
    url = reverse("companies:signatures", args=[application.public_id])
    return fresh_login(client, person).get(url).content.decode()


def test_the_signatures_page_says_who_still_has_to_sign_and_that_i_signed(
    client, in_english, applicant, carlos
):
    application = complete_application(applicant)
    workflow.send_for_signatures(application, actor=applicant)
    sign_as(client, applicant, application)

    page = signatures_page(client, applicant, application)

    assert "Still to sign: Carlos Eduardo Mendoza Reséndiz." in page
    assert "You signed this version on" in page
    assert reverse("companies:sign", args=[application.public_id]) not in page
    assert "Review and sign" not in page
    page = signatures_page(client, carlos, application)
    assert "Review and sign" in page and "You signed" not in page


def test_once_everyone_signed_the_page_says_so_and_names_the_next_step(
    client, in_english, applicant, carlos
):
    application = complete_application(applicant, legal_form="sa-de-cv")
    workflow.send_for_signatures(application, actor=applicant)
    for person in (applicant, carlos):
        sign_as(client, person, application)

    page = signatures_page(client, applicant, application)

    assert "Awaiting signatures" not in page and "Still to sign" not in page
    assert "Signed by everyone" in page
    assert "Next step: pay the registration fee below, then submit the application." in page
    page = signatures_page(client, carlos, application)
    assert "Next step: Ana Sofía Ramírez Olvera pays the registration fee" in page
    assert "You signed this version on" in page and "Review and sign" not in page


def test_without_a_fee_the_next_step_is_to_submit(client, in_english, applicant, carlos):
    application = complete_application(applicant)  # an S.A.S.: no state fee
    workflow.send_for_signatures(application, actor=applicant)
    for person in (applicant, carlos):
        sign_as(client, person, application)

    assert "Next step: submit the application below." in signatures_page(
        client, applicant, application
    )


def test_a_founder_who_signed_is_not_asked_to_sign_again(client, in_english, applicant, carlos):
    application = complete_application(applicant)
    workflow.send_for_signatures(application, actor=applicant)
    sign_as(client, carlos, application)

    response = fresh_login(client, carlos).get(
        reverse("companies:sign", args=[application.public_id]), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse(
        "companies:signatures", args=[application.public_id]
    )
    assert "You already signed this version on" in response.content.decode()


# -- The fee at submission ------------------------------------------------------------------


def pay_at_the_bank(xroad_sandbox, reference: str) -> None:
    import anyio

    from sandbox.bank import bank_client

    async def pay() -> None:
        async with bank_client(
            "http://emulator", transport=xroad_sandbox.async_transport()
        ) as bank:
            response = await bank.post(
                PAYMENTS, f"/v1/referencias/{reference}/pay", idempotent=True
            )
            assert response.status == 200

    anyio.run(pay)


PAYMENTS = "MX-DEV/GOV/QRO-FINANZAS/pagos/referencias"


@pytest.fixture
def signed_sa(client, applicant, carlos, xroad_sandbox):
    """An S.A. de C.V. signed by everyone, with its payment reference (pending)."""
    application = complete_application(applicant, legal_form="sa-de-cv")
    workflow.send_for_signatures(application, actor=applicant)
    for person in (applicant, carlos):
        sign_as(client, person, application)
    fresh_login(client, applicant).post(
        reverse("companies:pay", args=[application.public_id]), {"action": "create"}
    )
    return application


def submit(client, application):
    url = reverse("companies:submit", args=[application.public_id])
    return client.post(url, follow=True)


def test_submitting_right_after_paying_at_the_bank_asks_the_registry_and_submits(
    client, in_english, applicant, signed_sa, xroad_sandbox
):
    payment = signed_sa.payments.get()
    pay_at_the_bank(xroad_sandbox, payment.reference)  # no "I have paid" check before submitting

    response = submit(client, signed_sa)

    signed_sa.refresh_from_db()
    assert signed_sa.status == "submitted"
    assert response.redirect_chain[-1][0] == reverse("companies:status", args=[signed_sa.public_id])
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.confirmed_x_road_id


def test_an_unpaid_fee_at_submission_says_to_wait_a_minute_if_one_just_paid(
    client, in_english, applicant, signed_sa, xroad_sandbox
):
    page = submit(client, signed_sa).content.decode()

    signed_sa.refresh_from_db()
    assert signed_sa.status == "awaiting_signatures"
    assert "If you just paid, wait a minute and try again" in page
    assert signed_sa.payments.get().reference in page


def test_an_unreachable_payments_registry_at_submission_is_said_plainly_and_loses_nothing(
    client, in_english, applicant, signed_sa, xroad_sandbox
):
    from xroad_client.emulator import FaultSpec

    payment = signed_sa.payments.get()
    pay_at_the_bank(xroad_sandbox, payment.reference)
    xroad_sandbox.inject_fault(PAYMENTS, FaultSpec(down=True))

    page = submit(client, signed_sa).content.decode()

    signed_sa.refresh_from_db()
    assert signed_sa.status == "awaiting_signatures"
    assert "We could not reach the payments registry to confirm your payment" in page
    assert "If you just paid" not in page
    assert signed_sa.versions.get().signatures.count() == 2
    assert signed_sa.payments.get().status == "pending"
    xroad_sandbox.clear_faults()
    submit(client, signed_sa)  # once the registry answers again, the same click submits
    signed_sa.refresh_from_db()
    assert signed_sa.status == "submitted"


def test_checking_the_payment_while_the_registry_is_unreachable_says_so_not_unpaid(
    client, in_english, applicant, signed_sa, xroad_sandbox
):
    from xroad_client.emulator import FaultSpec

    xroad_sandbox.inject_fault(PAYMENTS, FaultSpec(down=True))
    url = reverse("companies:pay", args=[signed_sa.public_id])

    page = client.post(url, {"action": "check"}, follow=True).content.decode()

    assert "We could not reach the payments registry right now" in page
    assert "has not received this payment yet" not in page
