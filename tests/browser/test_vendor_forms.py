"""In headless Chromium: the sign-up and sign-in layout at phone width, and a product
manager's guided entry going through moderation to the published page."""

import re

import pytest
from playwright.sync_api import expect

from sources.models import Submission
from sources.permissions import ensure_moderators_group
from tests.factories import PASSWORD, make_category, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not displayed"
    return found


def assert_label_above_its_input(page, input_id: str, label_text: str) -> None:
    field = page.locator(f"#{input_id}")
    # Associated: the accessible name finds exactly this input.
    assert page.get_by_label(label_text, exact=True).get_attribute("id") == input_id
    label, control = box(page.locator(f'label[for="{input_id}"]')), box(field)
    assert label["y"] + label["height"] <= control["y"] + 1, f"{label_text} is not above"
    assert abs(label["x"] - control["x"]) <= 2, f"{label_text} is not aligned with its input"
    assert control["x"] + control["width"] <= PHONE["width"], f"{input_id} overflows"


def assert_error_beside(page, input_id: str, message: str) -> None:
    error = page.locator(f"#{input_id}_error")
    assert message in error.inner_text()
    control = page.locator(f"#{input_id}")
    assert control.get_attribute("aria-invalid") == "true"
    assert f"{input_id}_error" in control.get_attribute("aria-describedby").split()
    below, under = box(control), box(error)
    gap = under["y"] - (below["y"] + below["height"])
    assert 0 <= gap <= 24, f"the error of {input_id} is {gap}px away from it"


def test_sign_up_and_sign_in_put_each_label_above_its_input_at_phone_width(page):
    page.set_viewport_size(PHONE)
    page.goto("/accounts/signup/")
    for input_id, label in (
        ("id_email", "E-mail address"),
        ("id_password1", "Password"),
        ("id_password2", "Password again"),
    ):
        assert_label_above_its_input(page, input_id, label)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_label("E-mail address").fill("not an address")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD + " but different")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_load_state()
    assert_error_beside(page, "id_email", "Enter a valid email address.")
    assert_error_beside(page, "id_password2", "The two passwords differ.")
    assert page.locator("#id_password1").get_attribute("aria-invalid") is None

    page.goto("/accounts/login/")
    assert_label_above_its_input(page, "id_username", "E-mail address")
    assert_label_above_its_input(page, "id_password", "Password")
    page.goto("/accounts/password/reset/")
    assert_label_above_its_input(page, "id_email", "Email")


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def answer_the_questions(page) -> None:
    page.get_by_label("Product name").fill("PostLark")
    page.get_by_label("Website").fill("https://www.postlark.example/")
    page.get_by_label("Transactional email").check()
    page.get_by_label("In one sentence").fill("PostLark sends transactional email for apps.")
    page.get_by_label("Your documentation on sending").fill(
        "Authenticate your domain: https://docs.postlark.example/domains"
    )
    page.get_by_label("DKIM keys we host").check()
    page.get_by_label("The DKIM selectors your customers publish").fill(
        "s1 s1.domainkey.u{account}.postlark.example\ns2 s2.domainkey.u{account}.postlark.example"
    )
    page.get_by_label("Part of them differs per account").check()
    page.get_by_label("What customers call the per-account part").fill("Account ID")
    page.get_by_label("An example value").fill("1234567")


def test_a_guided_entry_is_moderated_and_published_with_the_records_described(page, live_server):
    make_category("transactional-email")
    make_user("pm@postlark.example")
    moderator = make_user("mod@directory.example", is_staff=True)
    moderator.groups.add(ensure_moderators_group())
    page.set_default_timeout(15_000)

    sign_in(page, "pm@postlark.example")
    page.get_by_role("link", name="Submit a vendor").first.click()
    page.wait_for_url("**/submissions/guided/")
    # Only the questions of the routes ticked are shown.
    assert page.locator("#route-ns").is_hidden()
    answer_the_questions(page)
    assert page.locator("#route-dkim").is_visible()
    assert page.locator("#route-ns").is_hidden()

    # The preview follows the answers, without pressing Preview.
    expect(page.locator("#guided-preview")).to_contain_text("s2._domainkey.{domain}")
    preview = page.locator("#guided-preview table.records")
    text = preview.inner_text()
    assert "s1._domainkey.{domain}" in text and "s1.domainkey.u{account}.postlark.example" in text
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(re.compile(r".*/submissions/\d+/$"))
    assert "Pending review" in page.locator(".state").first.inner_text()
    submission = Submission.objects.get()

    # A moderator approves it in the admin.
    page.get_by_role("button", name="Sign out").click()
    page.goto("/admin/login/")
    page.locator("#id_username").fill(moderator.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.goto("/admin/sources/submission/?state__exact=pending")
    page.locator(f'input[name="_selected_action"][value="{submission.pk}"]').check()
    page.locator('select[name="action"]').select_option("approve_selected")
    page.locator('button[name="index"]').click()
    page.locator('input[type=submit][value="Approve and publish"]').click()
    assert "published as revision 1" in page.locator(".messagelist").inner_text()

    # The public page shows the two CNAMEs the PM described.
    page.goto("/vendors/postlark/")
    assert page.get_by_role("heading", level=1).inner_text() == "PostLark"
    records = page.locator("table.records").inner_text()
    for selector in ("s1", "s2"):
        assert f"{selector}._domainkey.{{domain}}" in records
        assert f"{selector}.domainkey.u{{account}}.postlark.example" in records
    assert "Account ID" in page.locator("article.vendor").inner_text()


def test_the_guided_form_previews_without_javascript(browser, live_server):
    make_category("transactional-email")
    make_user("pm@postlark.example")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    sign_in(tab, "pm@postlark.example")
    tab.goto("/submissions/guided/")
    assert tab.locator("#route-ns").is_visible()  # every question shows without the script
    answer_the_questions(tab)
    tab.get_by_role("button", name="Preview").last.click()
    tab.wait_for_load_state()
    assert "s2._domainkey.{domain}" in tab.locator("#guided-preview table.records").inner_text()
    assert tab.get_by_label("Product name").input_value() == "PostLark"  # answers kept
    assert not Submission.objects.exists()
    context.close()
