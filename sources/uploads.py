"""Uploaded files, capped while they stream in (settings.FILE_UPLOAD_HANDLERS).

Django's default handlers keep a small upload in memory and write a large
one to a temporary file, whole, before any view sees its size: a 200 MB
upload went to disk before the bulk-check form said "larger than 2 MB".
`CappedUploadHandler` replaces them. It keeps at most MAX_UPLOAD_BYTES of each
file in memory, counts and drops the rest, and hands the form a file whose
`size` is the real size (so the form's own size check names the problem) and
whose content stops at the cap. Nothing is ever written to disk.

A request announcing more than MAX_REQUEST_BYTES is refused before it is read
(RequestDataTooBig: the API answers 413, pages 400).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

# The largest file a form takes (the bulk-check CSV).
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def max_request_bytes() -> int:
    """The largest multipart request read at all: a file at twice the cap, plus the fields."""
    return 2 * MAX_UPLOAD_BYTES + (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


class CappedUploadHandler(FileUploadHandler):
    """Each file kept in memory up to MAX_UPLOAD_BYTES; the rest counted, never stored."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None) -> None:
        if content_length > max_request_bytes():
            raise RequestDataTooBig(
                f"The request body is larger than {max_request_bytes():,} bytes."
            )
        return None  # the parser goes on, with this handler receiving the files

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.kept = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = MAX_UPLOAD_BYTES - self.kept.tell()
        if room > 0:
            self.kept.write(raw_data[:room])
        return None  # consumed here: no later handler writes it anywhere

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.kept.seek(0)
        return InMemoryUploadedFile(
            file=self.kept,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,  # the real size, beyond what was kept
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
