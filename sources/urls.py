from django.urls import path, re_path

from sources.views import accounts, checks, dmarc, pages, submissions, watches

urlpatterns = [
    path("", pages.home, name="home"),
    path("search/", pages.search, name="search"),
    path("categories/<slug:slug>/", pages.category, name="category"),
    path("vendors/<slug:slug>/", pages.vendor_detail, name="vendor"),
    path("guides/", pages.guides_index, name="guides"),
    path("guides/<slug:slug>/", pages.guide_detail, name="guide"),
    # The DNS checker (sources/views/checks.py).
    path("check/", checks.check, name="check"),
    path("check/results/<uuid:pk>/", checks.check_result, name="check-result"),
    path("check/results/<uuid:pk>.json", checks.check_result_json, name="check-result-json"),
    path("check/bulk/", checks.bulk_check, name="bulk-check-new"),
    path("dmarc/", dmarc.dmarc_generator, name="dmarc-generator"),
    path("check/bulk/<uuid:pk>/", checks.bulk_detail, name="bulk-check"),
    path("check/bulk/<uuid:pk>/status.json", checks.bulk_status_json, name="bulk-check-status"),
    re_path(
        r"^check/bulk/(?P<pk>[0-9a-f-]{36})/results\.(?P<fmt>csv|json)$",
        checks.bulk_results,
        name="bulk-check-results",
    ),
    # Submissions, moderation history and reports (sources/views/submissions.py).
    path("submissions/", submissions.submission_list, name="submissions"),
    path("submissions/new/", submissions.submission_new, name="submission-new"),
    path("submissions/<int:pk>/", submissions.submission_detail, name="submission"),
    path("submissions/<int:pk>/edit/", submissions.submission_edit, name="submission-edit"),
    path("vendors/<slug:slug>/propose/", submissions.submission_propose, name="submission-propose"),
    path("vendors/<slug:slug>/report/", submissions.vendor_report, name="vendor-report"),
    path("vendors/<slug:slug>/history/", submissions.vendor_history, name="vendor-history"),
    path(
        "vendors/<slug:slug>/history/<int:number>/",
        submissions.vendor_revision,
        name="vendor-revision",
    ),
    path(
        "vendors/<slug:slug>/history/<int:number>/restore/",
        submissions.vendor_revision_restore,
        name="vendor-revision-restore",
    ),
    # Watched domains and webhooks (sources/views/watches.py).
    path("watches/", watches.dashboard, name="watches"),
    path("watches/new/", watches.watch_new, name="watch-new"),
    path("watches/<uuid:pk>/", watches.watch_detail, name="watch"),
    path("watches/<uuid:pk>/check/", watches.watch_verify, name="watch-verify"),
    path("watches/<uuid:pk>/settings/", watches.watch_settings, name="watch-settings"),
    path("watches/<uuid:pk>/delete/", watches.watch_remove, name="watch-delete"),
    path("account/webhooks/", watches.webhooks, name="webhooks"),
    path("account/webhooks/<int:pk>/", watches.webhook_detail, name="webhook"),
    path("account/webhooks/<int:pk>/action/", watches.webhook_action, name="webhook-action"),
    # Accounts (sources/views/accounts.py).
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/signup/done/", accounts.signup_done, name="signup-done"),
    path("accounts/confirm/resend/", accounts.signup_resend, name="signup-resend"),
    path("accounts/confirm/<uidb64>/<token>/", accounts.signup_confirm, name="signup-confirm"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.logout, name="logout"),
    path("accounts/password/reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/done/",
        accounts.password_reset_done,
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        accounts.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        accounts.password_reset_complete,
        name="password_reset_complete",
    ),
    path("accounts/password/change/", accounts.password_change, name="password_change"),
    path(
        "accounts/password/change/done/",
        accounts.password_change_done,
        name="password_change_done",
    ),
    path("account/", accounts.account, name="account"),
    path("account/token/", accounts.account_token, name="account-token"),
    path("account/verifications/", accounts.verifications, name="verifications"),
    path("account/verifications/<int:pk>/", accounts.verification, name="verification"),
    path(
        "account/verifications/<int:pk>/check/",
        accounts.verification_recheck,
        name="verification-check",
    ),
    path(
        "account/verifications/<int:pk>/delete/",
        accounts.verification_delete,
        name="verification-delete",
    ),
]
