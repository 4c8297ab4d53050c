"""Oversized bodies: the API answers 413 in its JSON error shape; uploads are capped as they stream.

Before, an oversized API body got Django's HTML 400 (or was parsed whole), and
a 200 MB upload was written to a temporary file before the form's 2 MB check.
"""

import io
import json

import pytest
from django.core.exceptions import RequestDataTooBig
from django.core.files import uploadedfile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser

from sources.uploads import MAX_UPLOAD_BYTES, CappedUploadHandler, max_request_bytes

pytestmark = pytest.mark.django_db

BIG = 3 * 1024 * 1024  # over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) and the 2 MB file cap


@pytest.fixture
def no_temporary_files(monkeypatch):
    """Fail the test if any upload is written to a temporary file."""
    written = []
    original = uploadedfile.TemporaryUploadedFile.__init__

    def record(self, *args, **kwargs):
        written.append(args)
        original(self, *args, **kwargs)

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", record)
    yield written
    assert written == []


def test_an_oversized_json_body_is_a_json_413(client):
    body = json.dumps({"domains": ["example.com"] * (BIG // 14)})
    response = client.post("/api/v1/bulk-checks", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "error": "payload_too_large",
        "detail": "The request body is larger than 2,621,440 bytes.",
    }


def test_an_oversized_form_body_is_a_json_413(client):
    response = client.post(
        "/api/v1/checks",
        "domain=example.com&pad=" + "x" * BIG,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_an_oversized_multipart_body_is_a_json_413(client, no_temporary_files):
    response = client.post("/api/v1/checks", {"domain": "example.com", "pad": "x" * BIG})
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_a_body_within_the_limit_is_still_read(client):
    body = json.dumps({"domain": "not a domain", "pad": "x" * 100_000})
    response = client.post("/api/v1/checks", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"


def test_an_oversized_upload_is_refused_by_the_form_and_never_reaches_the_disk(
    client, vendor, no_temporary_files
):
    upload = SimpleUploadedFile("domains.csv", b"example.com\n" * (BIG // 12), "text/csv")
    response = client.post("/check/bulk/", {"file": upload, "vendor": "examplemail"})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["the file is larger than 2048 KB"]


def multipart(size: int) -> tuple[dict, io.BytesIO]:
    boundary = "BoUnDaRy"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        'filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = head + b"a" * size + tail
    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        "CONTENT_LENGTH": str(len(body)),
    }
    return meta, io.BytesIO(body)


def test_the_handler_keeps_only_the_cap_and_reports_the_real_size():
    meta, stream = multipart(MAX_UPLOAD_BYTES + 500_000)
    _, files = MultiPartParser(meta, stream, [CappedUploadHandler()]).parse()
    upload = files["file"]
    assert upload.size == MAX_UPLOAD_BYTES + 500_000
    assert len(upload.read()) == MAX_UPLOAD_BYTES
    assert isinstance(upload, uploadedfile.InMemoryUploadedFile)


def test_a_file_within_the_cap_arrives_whole():
    meta, stream = multipart(1000)
    _, files = MultiPartParser(meta, stream, [CappedUploadHandler()]).parse()
    assert files["file"].read() == b"a" * 1000


class ExplodingStream(io.RawIOBase):
    """A 200 MB body that must not be read."""

    def read(self, size=-1):
        raise AssertionError("the oversized body was read")


def test_a_200_mb_request_is_refused_before_it_is_read():
    meta = {
        "CONTENT_TYPE": "multipart/form-data; boundary=x",
        "CONTENT_LENGTH": str(200 * 1024 * 1024),
    }
    assert max_request_bytes() < 200 * 1024 * 1024
    with pytest.raises(RequestDataTooBig):
        MultiPartParser(meta, ExplodingStream(), [CappedUploadHandler()]).parse()
