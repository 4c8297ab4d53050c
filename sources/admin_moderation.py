"""The moderation queue in the Django admin: submissions, revisions, reports, domains.

Imported by sources/admin.py. Every decision goes through the services in
sources/services/submissions.py; the admin only collects the comment.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from sources.catalogdiff import FieldChange, diff_entries, real_changes
from sources.models import DomainVerification, Report, Revision, Submission
from sources.permissions import can_restore_revision
from sources.services.reports import report_close
from sources.services.submissions import (
    MAX_COMMENT,
    ModerationError,
    current_data,
    data_from_json,
    revision_restore,
    submission_approve,
    submission_is_revisable,
    submission_reject,
    submission_request_changes,
)
from sources.services.verification import (
    submissions_with_verified_submitter,
    verification_check,
)

DECISIONS = {
    "approve": ("Approve and publish", False),
    "request_changes": ("Request changes", True),
    "reject": ("Reject", False),
}


class DecisionForm(forms.Form):
    comment = forms.CharField(
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="Sent to the submitter and shown on their submission page.",
    )


def diff_table(changes: list[FieldChange], caption: str) -> str:
    # The template escapes every value: submitted text is never trusted as HTML.
    return mark_safe(  # noqa: S308
        render_to_string("submissions/_diff.html", {"changes": changes, "caption": caption})
    )


class ModerationMedia:
    css = {"all": ["css/admin-moderation.css"]}


class SubmissionChangeList(ChangeList):
    """The queue page, with the "verified vendor" column read for all its rows at once."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        verified = submissions_with_verified_submitter(self.result_list)
        for submission in self.result_list:
            submission.submitter_verified = submission.pk in verified


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "kind", "submitter_email", "state", "submitted_at", "verified"]
    list_filter = ["state", "kind"]
    search_fields = ["name", "slug", "submitter__email"]
    list_select_related = ["submitter"]
    actions = ["approve_selected", "request_changes_selected", "reject_selected"]
    change_form_template = "admin/sources/submission/change_form.html"
    Media = ModerationMedia
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "state",
                    "kind",
                    "vendor_link",
                    "slug",
                    "name",
                    "submitter_email",
                    "verified",
                    "revisable",
                    "submitted_at",
                    "public_link",
                ]
            },
        ),
        ("Evidence", {"fields": ["provenance_links", "note"]}),
        ("Review", {"fields": ["review_diff"]}),
        ("Decision", {"fields": ["moderator_comment", "reviewed_by", "reviewed_at", "timeline"]}),
    ]
    readonly_fields = [
        "state",
        "kind",
        "vendor_link",
        "slug",
        "name",
        "submitter_email",
        "verified",
        "revisable",
        "submitted_at",
        "public_link",
        "provenance_links",
        "note",
        "review_diff",
        "moderator_comment",
        "reviewed_by",
        "reviewed_at",
        "timeline",
    ]

    def has_add_permission(self, request):
        return False

    # -- read-only fields ----------------------------------------------------------------

    @admin.display(description="Submitter")
    def submitter_email(self, obj):
        return obj.submitter.email if obj.submitter else "(deleted account)"

    @admin.display(description="Verified vendor", boolean=True)
    def verified(self, obj):
        # The changelist sets it for a whole page in one query (SubmissionChangeList).
        if not hasattr(obj, "submitter_verified"):
            obj.submitter_verified = obj.pk in submissions_with_verified_submitter([obj])
        return obj.submitter_verified

    @admin.display(description="The submitter may revise it", boolean=True)
    def revisable(self, obj):
        return submission_is_revisable(submission=obj, user=obj.submitter)

    def get_changelist(self, request, **kwargs):
        return SubmissionChangeList

    @admin.display(description="Entry")
    def vendor_link(self, obj):
        if obj.vendor is None:
            return "(new vendor)"
        return format_html('<a href="{}">{}</a>', obj.vendor.get_absolute_url(), obj.vendor.name)

    @admin.display(description="Submitter's view")
    def public_link(self, obj):
        return format_html(
            '<a href="{}">Full preview as the public page will show it</a>',
            obj.get_absolute_url(),
        )

    @admin.display(description="Documentation cited")
    def provenance_links(self, obj):
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}" rel="noopener noreferrer nofollow">{}</a></li>',
                ((url, url) for url in obj.provenance or []),
            ),
        )

    @admin.display(description="Field-by-field changes")
    def review_diff(self, obj):
        data = data_from_json(obj.data)
        if obj.kind == Submission.Kind.CHANGE:
            if obj.vendor is None:
                return "The entry this proposal changes no longer exists."
            if obj.state == Submission.State.APPROVED:
                revision = obj.revisions.order_by("-number").first()
                if revision is not None:
                    return diff_table(
                        real_changes(revision.changes),
                        f"Published as revision {revision.number}",
                    )
            table = diff_table(
                diff_entries(current_data(obj.vendor), data), "Against the current entry"
            )
            if obj.vendor.updated_at > obj.submitted_at:
                return format_html(
                    '<p class="moderation-warning">The entry changed after this was submitted: '
                    "the table compares with the entry as it is now.</p>{}",
                    table,
                )
            return table
        return diff_table(diff_entries(None, data), "A new vendor: every field")

    @admin.display(description="Timeline")
    def timeline(self, obj):
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                "<li>{} — {} by {}{}</li>",
                (
                    (
                        e.created_at.strftime("%Y-%m-%d %H:%M"),
                        e.get_action_display(),
                        e.actor.email or e.actor.get_username() if e.actor else "(deleted)",
                        format_html(': <q class="moderation-comment">{}</q>', e.comment)
                        if e.comment
                        else "",
                    )
                    for e in obj.events.select_related("actor")
                ),
            ),
        )

    # -- decisions --------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/decide/<str:decision>/",
                self.admin_site.admin_view(self.decide_view),
                name="sources_submission_decide",
            ),
            *super().get_urls(),
        ]

    def _apply(self, request, submissions, decision: str, comment: str) -> int:
        done = 0
        for submission in submissions:
            try:
                if decision == "approve":
                    revision = submission_approve(
                        submission=submission, moderator=request.user, comment=comment
                    )
                    self.message_user(
                        request,
                        f"#{submission.pk} {submission.name}: published as revision "
                        f"{revision.number}.",
                        messages.SUCCESS,
                    )
                elif decision == "reject":
                    submission_reject(
                        submission=submission, moderator=request.user, comment=comment
                    )
                else:
                    submission_request_changes(
                        submission=submission, moderator=request.user, comment=comment
                    )
                done += 1
            except ModerationError as exc:
                self.message_user(request, f"#{submission.pk}: {exc}", messages.ERROR)
        if done and decision != "approve":
            label = DECISIONS[decision][0].lower()
            self.message_user(
                request, f"{label.capitalize()}: {done} submission(s).", messages.SUCCESS
            )
        return done

    def _decision_page(self, request, queryset, decision: str, *, single=None):
        """The intermediate page asking for the comment, then the decision itself."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        title, comment_required = DECISIONS[decision]
        form = DecisionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            comment = form.cleaned_data["comment"]
            if comment_required and not comment.strip():
                form.add_error("comment", "Say what needs to change: a comment is required.")
            else:
                self._apply(request, list(queryset), decision, comment)
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"{title}?",
            "decision": decision,
            "decision_title": title,
            "comment_required": comment_required,
            "submissions": list(queryset),
            "form": form,
            "opts": self.model._meta,
            "single": single,
            "action_name": f"{decision}_selected",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/sources/submission/decision.html", context)

    def decide_view(self, request, object_id, decision):
        if decision not in DECISIONS:
            raise PermissionDenied
        submission = get_object_or_404(Submission, pk=object_id)
        response = self._decision_page(
            request, Submission.objects.filter(pk=submission.pk), decision, single=submission
        )
        if response is None:
            return redirect(reverse("admin:sources_submission_change", args=[submission.pk]))
        return response

    @admin.action(
        description="Approve and publish the selected submissions", permissions=["change"]
    )
    def approve_selected(self, request, queryset):
        return self._decision_page(request, queryset, "approve")

    @admin.action(description="Request changes to the selected submissions", permissions=["change"])
    def request_changes_selected(self, request, queryset):
        return self._decision_page(request, queryset, "request_changes")

    @admin.action(description="Reject the selected submissions", permissions=["change"])
    def reject_selected(self, request, queryset):
        return self._decision_page(request, queryset, "reject")


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["vendor", "number", "summary", "created_at", "submission"]
    list_filter = ["created_at"]
    search_fields = ["vendor__name", "vendor__slug", "summary"]
    list_select_related = ["vendor", "submission"]
    actions = ["restore_selected"]
    fields = [
        "vendor",
        "number",
        "summary",
        "submission",
        "restored_from",
        "created_by",
        "created_at",
        "changes_table",
    ]
    readonly_fields = fields
    Media = ModerationMedia

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_restore_permission(self, request):
        return can_restore_revision(request.user)

    @admin.display(description="Changes")
    def changes_table(self, obj):
        return diff_table(real_changes(obj.changes), f"Revision {obj.number}")

    @admin.action(description="Restore the selected revision", permissions=["restore"])
    def restore_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one revision to restore.", messages.ERROR)
            return None
        revision = queryset.get()
        try:
            new = revision_restore(revision=revision, user=request.user)
        except ModerationError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        self.message_user(
            request,
            f"{revision.vendor}: revision {revision.number} restored as revision {new.number}.",
            messages.SUCCESS,
        )
        return None


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["vendor", "short_note", "state", "created_at", "email"]
    list_filter = ["state"]
    search_fields = ["vendor__name", "note", "email"]
    list_select_related = ["vendor"]
    actions = ["resolve_selected", "dismiss_selected"]
    fields = [
        "vendor",
        "vendor_links",
        "note",
        "email",
        "reporter",
        "created_at",
        "state",
        "moderator_comment",
        "resolved_by",
        "resolved_at",
    ]
    readonly_fields = [
        "vendor",
        "vendor_links",
        "note",
        "email",
        "reporter",
        "created_at",
        "resolved_by",
        "resolved_at",
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Note")
    def short_note(self, obj):
        return obj.note if len(obj.note) <= 80 else obj.note[:79] + "…"

    @admin.display(description="Entry")
    def vendor_links(self, obj):
        return format_html(
            '<a href="{}">Public page</a> · <a href="{}">Edit the vendor</a> · '
            '<a href="{}">History</a>',
            obj.vendor.get_absolute_url(),
            reverse("admin:sources_vendor_change", args=[obj.vendor_id]),
            reverse("vendor-history", args=[obj.vendor.slug]),
        )

    @admin.action(description="Mark the selected reports resolved", permissions=["change"])
    def resolve_selected(self, request, queryset):
        for report in queryset:
            report_close(report=report, moderator=request.user, resolved=True)
        self.message_user(request, f"{queryset.count()} report(s) resolved.", messages.SUCCESS)

    @admin.action(description="Dismiss the selected reports", permissions=["change"])
    def dismiss_selected(self, request, queryset):
        for report in queryset:
            report_close(report=report, moderator=request.user, resolved=False)
        self.message_user(request, f"{queryset.count()} report(s) dismissed.", messages.SUCCESS)


@admin.register(DomainVerification)
class DomainVerificationAdmin(admin.ModelAdmin):
    list_display = ["domain", "user", "status", "verified_at", "last_checked_at"]
    list_filter = ["status"]
    search_fields = ["domain", "user__email"]
    list_select_related = ["user"]
    actions = ["recheck_selected"]
    readonly_fields = [
        "user",
        "domain",
        "token",
        "status",
        "verified_at",
        "last_checked_at",
        "last_result",
        "created_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    @admin.action(description="Check the selected domains' DNS now", permissions=["change"])
    def recheck_selected(self, request, queryset):
        for verification in queryset[:50]:
            verification_check(verification=verification)
        self.message_user(request, "Checked; see the status column.", messages.SUCCESS)
