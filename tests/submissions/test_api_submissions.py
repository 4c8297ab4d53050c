"""POST /api/v1/submissions and GET /api/v1/submissions/{id}: token auth, same validation."""

import pytest
from rest_framework.test import APIClient

from sources.models import Submission
from sources.services.submissions import current_data, data_to_json, submission_request_changes
from tests.factories import api_key_for, new_vendor_data
from tests.submissions.helpers import SOURCES

pytestmark = pytest.mark.django_db

URL = "/api/v1/submissions"


def api_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    return client


def body(slug="postlark", **overrides) -> dict:
    entry = data_to_json(new_vendor_data(slug, **overrides))
    return {"entry": entry, "provenance": SOURCES, "note": "From the API."}


def test_a_token_user_submits_a_new_vendor(submitter, categories):
    response = api_for(submitter).post(URL, body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    submission = Submission.objects.get()
    assert data["id"] == submission.pk
    assert data["state"] == "pending" and data["kind"] == "new"
    assert data["vendor"] is None and data["slug"] == "postlark"
    assert data["entry"]["methods"][0]["records"][0]["host"] == "s1._domainkey.{domain}"
    assert data["events"][0]["action"] == "submitted"
    assert response["Location"] == f"http://testserver/api/v1/submissions/{submission.pk}"
    assert data["page_url"] == f"http://testserver/submissions/{submission.pk}/"
    assert submission.submitter == submitter and submission.note == "From the API."


def test_anonymous_clients_are_refused_in_the_error_shape(categories):
    response = api_for().post(URL, body(), format="json")
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"
    assert api_for().get(f"{URL}/1").status_code == 401
    assert not Submission.objects.exists()


def test_a_bad_token_is_refused(categories):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.post(URL, body(), format="json").status_code == 401


def test_validation_errors_name_the_catalog_field(submitter, categories):
    payload = body()
    payload["entry"]["methods"][0]["records"][1]["host"] = "bounce.example.net"
    response = api_for(submitter).post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid",
        "detail": "Invalid input: see entry.methods[0].records[1].host.",
        "fields": {
            "entry.methods[0].records[1].host": [
                "Must contain {domain} (records live in the customer's zone)."
            ]
        },
    }


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda b: b["entry"].update(website="http://x.example/"), "entry.website", "https URL"),
        (lambda b: b["entry"].update(last_verified="yesterday"), "entry.last_verified", "YYYY"),
        (lambda b: b["entry"].update(categories=["nope"]), "entry.categories[0]", "not a category"),
        (lambda b: b["entry"].pop("summary"), "entry.summary", "is required"),
        (lambda b: b["entry"].update(extra=1), "entry.extra", "not a known field"),
        (lambda b: b["entry"].update(methods=[{}] * 11), "entry.methods", "at most 10"),
        (lambda b: b.update(provenance=[]), "provenance", "empty"),
        (lambda b: b.update(provenance=["http://docs.example/"]), "provenance[0]", "https URL"),
        (lambda b: b.update(entry="a string"), "entry", "Must be an object"),
        (lambda b: b.update(entry={"slug": 5}), "entry.slug", "must be of type str"),
        (lambda b: b.update(note="x" * 2001), "note", "no more than 2000"),
        (lambda b: b.update(vendor="no-such-vendor"), "vendor", "No published vendor"),
    ],
)
def test_bad_input_is_a_400_with_the_field_named(submitter, categories, change, field, message):
    payload = body()
    change(payload)
    response = api_for(submitter).post(URL, payload, format="json")
    assert response.status_code == 400, response.json()
    fields = response.json()["fields"]
    assert field in fields, fields
    assert message.lower() in " ".join(fields[field]).lower()


def test_malformed_json_is_a_400(submitter):
    response = api_for(submitter).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "parse_error"


def test_proposing_changes_to_an_entry(submitter, vendor):
    entry = data_to_json(current_data(vendor))
    entry["summary"] = "Changed through the API."
    response = api_for(submitter).post(
        URL, {"vendor": "examplemail", "entry": entry, "provenance": SOURCES}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "change" and response.json()["vendor"] == "examplemail"
    unchanged = data_to_json(current_data(vendor))
    again = api_for(submitter).post(
        URL, {"vendor": "examplemail", "entry": unchanged, "provenance": SOURCES}, format="json"
    )
    assert again.status_code in (400, 409)


def test_a_proposal_cannot_rename_the_entry(submitter, vendor):
    entry = data_to_json(current_data(vendor))
    entry["slug"] = "renamed"
    response = api_for(submitter).post(
        URL, {"vendor": "examplemail", "entry": entry, "provenance": SOURCES}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"entry.slug": ["Cannot be changed by a proposal."]}


def test_sending_the_same_submission_twice_is_a_409(submitter, categories):
    client = api_for(submitter)
    first = client.post(URL, body(), format="json").json()
    response = client.post(URL, body(), format="json")
    assert response.status_code == 409
    assert response.json()["error"] == "duplicate"
    assert f"submission #{first['id']}" in response.json()["detail"]
    assert Submission.objects.count() == 1


def test_a_submitter_sees_only_their_own_submissions(submitter, other_submitter, categories):
    created = api_for(submitter).post(URL, body(), format="json").json()
    url = f"{URL}/{created['id']}"
    assert api_for(submitter).get(url).status_code == 200
    response = api_for(other_submitter).get(url)
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert api_for(submitter).get(f"{URL}/999999").status_code == 404


def test_moderators_see_any_submission_and_staff_do_not(submitter, moderator, staff, categories):
    created = api_for(submitter).post(URL, body(), format="json").json()
    url = f"{URL}/{created['id']}"
    assert api_for(moderator).get(url).status_code == 200
    assert api_for(staff).get(url).status_code == 404


def test_the_state_and_comments_show_through_the_api(submitter, moderator, categories):
    created = api_for(submitter).post(URL, body(), format="json").json()
    submission = Submission.objects.get(pk=created["id"])
    submission_request_changes(submission=submission, moderator=moderator, comment="Cite DKIM.")
    data = api_for(submitter).get(f"{URL}/{created['id']}").json()
    assert data["state"] == "changes_requested"
    assert data["moderator_comment"] == "Cite DKIM."
    assert [e["action"] for e in data["events"]] == ["submitted", "changes_requested"]


def test_the_published_flag_is_ignored(submitter, categories):
    payload = body()
    payload["entry"]["published"] = False
    api_for(submitter).post(URL, payload, format="json")
    assert Submission.objects.get().data["published"] is True


def test_api_submissions_are_rate_limited(submitter, categories, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submission": "1/hour"}
    client = api_for(submitter)
    assert client.post(URL, body(), format="json").status_code == 201
    response = client.post(URL, body("other"), format="json")
    assert response.status_code == 429
    assert response.json()["error"] == "throttled" and int(response["Retry-After"]) > 0


def test_only_post_and_get_are_allowed(submitter):
    client = api_for(submitter)
    assert client.get(URL).status_code == 405
    assert client.delete(f"{URL}/1").status_code == 405


def test_session_clients_need_the_csrf_token(submitter, categories):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(submitter)
    response = client.post(URL, body(), format="json")
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_the_schema_documents_both_endpoints(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    post = schema["paths"]["/api/v1/submissions"]["post"]
    assert {"201", "400", "401", "409", "429"} <= set(post["responses"])
    assert "/api/v1/submissions/{id}" in schema["paths"]


def test_the_api_says_whether_the_submission_may_be_revised(submitter, moderator, categories):
    created = api_for(submitter).post(URL, body(), format="json").json()
    assert created["revisable"] is True
    url = f"{URL}/{created['id']}"
    assert api_for(moderator).get(url).json()["revisable"] is False  # not theirs
    Submission.objects.filter(pk=created["id"]).update(state=Submission.State.REJECTED)
    assert api_for(submitter).get(url).json()["revisable"] is False  # decided
