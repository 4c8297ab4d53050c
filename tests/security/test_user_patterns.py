"""Finding 3: a user's regular expression cannot hold a worker (ReDoS).

Patterns from submissions, the API, the admin and the catalog run through
sources/checker/userpatterns.py: the `regex` engine with a time limit and a
length cap. A pattern that runs out of time is a validation error naming it.
"""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from sources.checker import userpatterns
from sources.models import MethodParameter, RecordRequirement, Submission
from sources.services.submissions import data_to_json
from tests.factories import api_key_for
from tests.submissions.helpers import SOURCES, form_post, new_vendor_data

pytestmark = pytest.mark.django_db

NESTED = r"(a+)+$"
EXPONENTIAL = r"(a|aa)+$"  # backtracks exponentially even in the regex engine
EVIL_EXAMPLE = "a" * 40 + "!"


def entry_with_pattern(pattern: str, example: str) -> dict:
    data = new_vendor_data()
    data["methods"][0]["parameters"][0].update(pattern=pattern, example=example)
    return data


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    return client


def test_the_review_finding_is_answered_with_the_mismatch():
    # `(a+)+$` against 40 a's and a '!' cost 5.6 s in Python's re.
    assert userpatterns.fullmatch(NESTED, EVIL_EXAMPLE) is False


def test_an_exponential_pattern_is_stopped_by_its_time_limit():
    with pytest.raises(userpatterns.PatternTimeout, match="nested repetition"):
        userpatterns.fullmatch(EXPONENTIAL, EVIL_EXAMPLE)


def test_patterns_longer_than_the_cap_are_refused():
    with pytest.raises(userpatterns.PatternError, match="longer than 500"):
        userpatterns.validate_pattern("a" * 501)


def test_a_web_preview_rejects_the_nested_pattern(submitter_client, categories):
    data = entry_with_pattern(NESTED, EVIL_EXAMPLE)
    response = submitter_client.post("/submissions/new/", form_post(data, action="preview"))
    assert response.status_code == 200
    row = response.context["form"].methods.forms[0].parameters.forms[0]
    assert row.errors["example"] == ["Does not match the parameter's pattern."]
    assert "preview" not in response.context


def test_a_web_submission_with_an_exponential_pattern_names_the_pattern(
    submitter_client, categories
):
    data = entry_with_pattern(EXPONENTIAL, EVIL_EXAMPLE)
    response = submitter_client.post("/submissions/new/", form_post(data))
    assert response.status_code == 200
    row = response.context["form"].methods.forms[0].parameters.forms[0]
    assert "nested repetition" in row.errors["pattern"][0]
    assert not Submission.objects.exists()


def test_the_api_rejects_an_exponential_pattern_as_a_field_error(submitter, categories):
    entry = data_to_json(entry_with_pattern(EXPONENTIAL, EVIL_EXAMPLE))
    payload = {"entry": entry, "provenance": SOURCES}
    response = api_for(submitter).post("/api/v1/submissions", payload, format="json")
    assert response.status_code == 400
    text = str(response.json())
    assert "methods[0].parameters[0].pattern" in text and "nested repetition" in text
    assert not Submission.objects.exists()


def test_the_admin_validates_patterns_the_same_way(vendor):
    method = vendor.methods.first()
    parameter = MethodParameter(method=method, name="p", label="P", pattern=EXPONENTIAL)
    parameter.example = EVIL_EXAMPLE
    with pytest.raises(ValidationError) as caught:
        parameter.clean()
    assert "nested repetition" in str(caught.value.message_dict["pattern"])
    record = RecordRequirement(method=method, pattern="(" * 10)
    with pytest.raises(ValidationError) as caught:
        record.clean()
    assert "not a valid regular expression" in str(caught.value.message_dict["pattern"])


def test_web_previews_are_counted_before_validation(submitter_client, categories, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "preview": "2/hour"}
    data = entry_with_pattern(EXPONENTIAL, EVIL_EXAMPLE)
    post = form_post(data, action="preview")
    statuses = [submitter_client.post("/submissions/new/", post).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    # The refused one did not run the pattern: only the wait message, no pattern error.
    response = submitter_client.post("/submissions/new/", post)
    row = response.context["form"].methods.forms[0].parameters.forms[0]
    assert "pattern" not in row.errors
    assert any("Too many attempts" in message for message, _ in response.context["errors"])


def test_api_submissions_are_counted_before_validation(submitter, categories, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submission": "1/hour"}
    payload = {"entry": {"not": "an entry"}, "provenance": SOURCES}
    client = api_for(submitter)
    assert client.post("/api/v1/submissions", payload, format="json").status_code == 400
    assert client.post("/api/v1/submissions", payload, format="json").status_code == 429


def test_a_check_with_a_slow_catalog_pattern_still_answers():
    from sources.checker.specs import MethodSpec, validate_parameters

    method = {
        "kind": "cname-delegation",
        "parameters": [{"name": "account", "label": "Account", "pattern": EXPONENTIAL}],
        "records": [],
    }
    spec = MethodSpec.from_dict(method)
    # A catalog pattern that cannot decide does not block the customer's value.
    assert validate_parameters(spec, {"account": EVIL_EXAMPLE}) == {"account": EVIL_EXAMPLE}
