"""Repeatable rows without JavaScript: a `RowSet` is a list of rows of one form class.

The number of rows is a hidden field (`<prefix>-count`); an "Add another" button posts
the form back and the page is rebuilt with one more row (`raw_rows` keeps what was
typed), so nothing needs JavaScript and nothing typed is lost. Blank rows and rows
marked for removal are skipped rather than validated.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import ErrorDict


class RowForm(forms.Form):
    """One row of a list; blank rows and rows marked for removal are skipped."""

    text_fields: tuple[str, ...] = ()
    defaults: dict[str, Any] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove"] = forms.BooleanField(required=False, label="Remove this row")
        self.skipped = False

    def _raw(self, name: str) -> Any:
        field = self.fields[name]
        return field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))

    def raw_blank(self) -> bool:
        return all(not (self._raw(name) or "").strip() for name in self.text_fields)

    def raw_removed(self) -> bool:
        return bool(self._raw("remove"))

    def full_clean(self):
        if self.is_bound and (self.raw_removed() or self.raw_blank()):
            self._errors = ErrorDict()
            self.cleaned_data = {}
            self.skipped = True
            return
        self.skipped = False
        super().full_clean()

    def raw_values(self) -> dict:
        """What was posted, as initial values for an unbound copy of this row."""
        return {name: self._raw(name) for name in self.fields if name != "remove"}

    @property
    def has_content(self) -> bool:
        if self.is_bound:
            return not self.raw_blank()
        return any(self.initial.get(name) for name in self.text_fields)


class RowSet:
    """A fixed number of rows of one form class, counted by a hidden field."""

    def __init__(
        self,
        form_class: type[RowForm],
        *,
        prefix: str,
        data=None,
        initial: list[dict] | None = None,
        extra: int = 1,
        max_rows: int,
        noun: str,
    ) -> None:
        self.prefix, self.max_rows, self.noun = prefix, max_rows, noun
        self.count_name = f"{prefix}-count"
        self.errors: list[str] = []
        initial = initial or []
        if data is not None:
            try:
                count = int(data.get(self.count_name, "0"))
            except (TypeError, ValueError):
                count = 0
            if count > max_rows:
                self.errors.append(f"At most {max_rows} {noun}s are accepted.")
            count = max(0, min(count, max_rows))
        else:
            count = min(len(initial) + extra, max_rows)
        self.forms = [
            form_class(
                data=data,
                prefix=f"{prefix}-{i}",
                initial=initial[i] if i < len(initial) else dict(form_class.defaults),
            )
            for i in range(count)
        ]

    def __iter__(self):
        return iter(self.forms)

    def __len__(self) -> int:
        return len(self.forms)

    @property
    def can_add(self) -> bool:
        return len(self.forms) < self.max_rows

    def is_valid(self) -> bool:
        valid = not self.errors
        for form in self.forms:
            valid = form.is_valid() and valid
        return valid

    def included(self) -> list[RowForm]:
        return [f for f in self.forms if not f.skipped]

    def raw_rows(self) -> list[dict]:
        """What was posted in each row not marked for removal (blank rows kept: the page
        should look the same, plus the row asked for)."""
        return [f.raw_values() for f in self.forms if not f.raw_removed()]
