"""Payment instructions: treasurers write them on the officers' page; whoever owes a payment reads them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from members.actions.payment_instructions import check_change_payment_instructions, do_change_payment_instructions
from members.models import PaymentInstructions, ShareClass, User
from members.selectors import payment_instructions
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

INSTRUCTIONS = "IBAN: XX00 1234\r\nReference: SHARE <b>now</b>\r\nOr pay at https://pay.example/coop"
TODAY_WORDING = "Pay the amount shown when you request it to the treasurer, who sends you the payment details"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def written_by(treasurer: User, text: str = INSTRUCTIONS) -> None:
    do_change_payment_instructions(check_change_payment_instructions(treasurer, text))


def test_a_treasurer_writes_them_on_the_officers_page(treasurer: User) -> None:
    client = client_for(treasurer)
    page = client.get("/coop/officers").content.decode()
    assert 'action="/coop/officers/payment-instructions"' in page
    assert 'maxlength="2000"' in page
    response = client.post("/coop/officers/payment-instructions", {"text": INSTRUCTIONS})
    assert response.status_code == 302
    assert response["Location"] == "/coop/officers#payment-instructions"
    assert payment_instructions() == INSTRUCTIONS.replace("\r\n", "\n")
    page = client.get("/coop/officers").content.decode()
    assert "Payment instructions saved." in page
    assert "Reference: SHARE &lt;b&gt;now&lt;/b&gt;" in page


def test_an_applicant_reads_the_amount_and_the_instructions_as_plain_text(
    applicant: User, treasurer: User, member_share: ShareClass
) -> None:
    written_by(treasurer)
    client = client_for(applicant)
    page = client.get("/coop/membership").content.decode()
    assert TODAY_WORDING not in page
    assert "as “How to pay” below explains" in page
    asked = client.post("/coop/subscribe", {"share_class": member_share.pk, "quantity": 1}, follow=True)
    page = asked.content.decode()
    assert "as “How to pay” explains" in page
    assert "Shares you requested, waiting for your payment:" in page
    assert ": 1 Member share, 10.00 USD" in page
    assert "IBAN: XX00 1234<br>Reference: SHARE &lt;b&gt;now&lt;/b&gt;<br>" in page
    assert '<a href="https://pay.example/coop" rel="nofollow">https://pay.example/coop</a>' in page
    assert "<b>now</b>" not in page


def test_without_instructions_an_applicant_reads_that_the_treasurer_sends_them(
    applicant: User, member_share: ShareClass
) -> None:
    client = client_for(applicant)
    page = client.get("/coop/membership").content.decode()
    assert TODAY_WORDING in page
    assert 'id="how-to-pay"' not in page
    asked = client.post("/coop/subscribe", {"share_class": member_share.pk, "quantity": 1}, follow=True)
    page = asked.content.decode()
    assert "Pay 10.00 USD to the treasurer to have them issued." in page
    assert "The treasurer sends you the payment details." in page


def test_a_member_reads_them_while_dues_are_unpaid_and_not_otherwise(member: User, treasurer: User) -> None:
    written_by(treasurer)
    assert 'id="how-to-pay"' not in client_for(member).get("/coop/membership").content.decode()
    late = make_member(username="lena", at=timezone.now() - timedelta(days=100))
    client = client_for(late)
    page = client.get("/coop/membership").content.decode()
    assert 'id="how-to-pay"' in page
    assert "months unpaid (see" in page
    assert "IBAN: XX00 1234" in page
    statement = client.get("/coop/statement").content.decode()
    assert "IBAN: XX00 1234" in statement
    assert "IBAN: XX00 1234" not in client_for(member).get("/coop/statement").content.decode()


def test_too_long_instructions_are_refused_with_the_text_kept_and_nothing_changed(treasurer: User) -> None:
    written_by(treasurer, "Cash at the meeting.")
    response = client_for(treasurer).post("/coop/officers/payment-instructions", {"text": "y" * 2001})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The payment instructions were not saved" in page
    assert "at most 2,000 characters; these have 2,001." in page
    assert "y" * 2001 in page
    assert payment_instructions() == "Cash at the meeting."


@pytest.mark.parametrize("who", ["member", "officer"])
def test_those_who_do_not_handle_payments_get_403_and_nothing_changes(
    who: str, treasurer: User, request: pytest.FixtureRequest
) -> None:
    written_by(treasurer, "Cash at the meeting.")
    client = client_for(request.getfixturevalue(who))
    response = client.post("/coop/officers/payment-instructions", {"text": "Pay me instead."})
    assert response.status_code == 403
    assert "Only a treasurer or an admin" in response.content.decode()
    assert PaymentInstructions.objects.get().text == "Cash at the meeting."


def test_a_membership_officer_reads_them_without_a_form(officer: User, treasurer: User) -> None:
    page = client_for(officer).get("/coop/officers").content.decode()
    assert "None yet: people are told that the treasurer sends them the payment details." in page
    written_by(treasurer, "Cash at the meeting.")
    page = client_for(officer).get("/coop/officers").content.decode()
    assert "Cash at the meeting." in page
    assert "Only a treasurer or an admin may change them." in page
    assert 'action="/coop/officers/payment-instructions"' not in page


def test_signed_out_visitors_are_sent_to_sign_in_and_nothing_changes() -> None:
    response = Client().post("/coop/officers/payment-instructions", {"text": "Pay me instead."})
    assert response.status_code == 302
    assert "/login" in response["Location"]
    assert not PaymentInstructions.objects.exists()
