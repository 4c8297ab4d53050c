"""Accounts: sign up, confirm, sign in and out, passwords, API token, domain verification."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_http_methods, require_POST

from sources.forms.accounts import (
    LoginForm,
    ResendConfirmationForm,
    SafePasswordResetForm,
    SignupForm,
)
from sources.forms.verification import VerificationForm
from sources.models import DomainVerification
from sources.ratelimit import rate_limited, too_many_requests, wait_message
from sources.services.accounts import (
    account_confirm,
    account_signup,
    confirmation_send,
    confirmation_tokens,
)
from sources.services.apitokens import api_token_create, api_token_current, api_tokens_revoke
from sources.services.verification import (
    record_name,
    record_value,
    verification_check,
    verification_start,
)

logger = logging.getLogger(__name__)


# -- sign up ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("submissions")
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        limited = rate_limited(request, "signup")
        if limited:
            form.is_valid()
            form.add_error(None, wait_message(limited))
            return too_many_requests(
                request, limited, render(request, "registration/signup.html", {"form": form})
            )
        if form.is_valid():
            if form.cleaned_data["homepage"]:
                logger.info("sign-up honeypot filled; ignored")
            else:
                account_signup(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password1"],
                    absolute=request.build_absolute_uri,
                )
            request.session["signup_email"] = form.cleaned_data["email"]
            return redirect("signup-done")
    return render(request, "registration/signup.html", {"form": form})


def signup_done(request):
    return render(
        request, "registration/signup_done.html", {"email": request.session.get("signup_email")}
    )


def _user_from_uid(uidb64: str):
    User = get_user_model()
    try:
        return User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None


@require_http_methods(["GET", "POST"])
def signup_confirm(request, uidb64: str, token: str):
    """GET shows a button (link scanners must not activate accounts); POST confirms."""
    user = _user_from_uid(uidb64)
    valid = user is not None and confirmation_tokens.check_token(user, token)
    if not valid:
        if user is not None and user.is_active:
            messages.info(request, "Your address is already confirmed: sign in.")
            return redirect("login")
        return render(request, "registration/confirm_invalid.html", status=400)
    if request.method == "POST":
        account_confirm(user=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your address is confirmed and you are signed in. Welcome!")
        return redirect("submissions")
    return render(request, "registration/confirm.html", {"confirm_user": user})


@require_http_methods(["GET", "POST"])
def signup_resend(request):
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST":
        limited = rate_limited(request, "password-reset")
        if limited:
            form.is_valid()
            form.add_error(None, wait_message(limited))
            return too_many_requests(
                request, limited, render(request, "registration/resend.html", {"form": form})
            )
        if form.is_valid():
            User = get_user_model()
            user = User.objects.filter(
                email__iexact=form.cleaned_data["email"], is_active=False
            ).first()
            if user is not None:
                confirmation_send(user=user, absolute=request.build_absolute_uri)
            request.session["signup_email"] = form.cleaned_data["email"]
            return redirect("signup-done")
    return render(request, "registration/resend.html", {"form": form})


# -- sign in, passwords ----------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        limited = rate_limited(request, "login")
        if limited:
            form = self.get_form()
            form.is_valid()
            form.errors.clear()
            form.add_error(None, wait_message(limited))
            return too_many_requests(
                request, limited, self.render_to_response(self.get_context_data(form=form))
            )
        return super().post(request, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = SafePasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "registration/email/password_reset.txt"
    subject_template_name = "registration/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def post(self, request, *args, **kwargs):
        limited = rate_limited(request, "password-reset")
        if limited:
            form = self.get_form()
            form.is_valid()
            form.add_error(None, wait_message(limited))
            return too_many_requests(
                request, limited, self.render_to_response(self.get_context_data(form=form))
            )
        return super().post(request, *args, **kwargs)


password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change_form.html",
    success_url=reverse_lazy("password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
logout = auth_views.LogoutView.as_view()


# -- the account page and API token ------------------------------------------------------------


def _account_page(request, *, new_key: str = "", status: int = 200):
    return render(
        request,
        "accounts/account.html",
        {
            "token": api_token_current(user=request.user),
            "new_key": new_key,
            "token_days": settings.API_TOKEN_DAYS,
            "verifications": DomainVerification.objects.filter(user=request.user),
            "submission_count": request.user.submissions.count(),
        },
        status=status,
    )


@login_required
def account(request):
    return _account_page(request)


@login_required
@require_POST
def account_token(request):
    """Create or replace the user's API token (shown on this answer only), or revoke it."""
    if request.POST.get("action") == "revoke":
        api_tokens_revoke(user=request.user)
        messages.success(request, "Your API token is revoked.")
        return redirect("account")
    _, key = api_token_create(user=request.user)
    # The key is stored only as a digest: this page is the one time it can be shown.
    response = _account_page(request, new_key=key, status=201)
    response["Cache-Control"] = "no-store"
    return response


# -- domain verification ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def verifications(request):
    initial = {"domain": request.GET.get("domain", "")[:300]}
    form = VerificationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        verification = verification_start(user=request.user, domain=form.cleaned_data["domain"])
        return redirect(verification)
    return render(
        request,
        "accounts/verifications.html",
        {"form": form, "verifications": DomainVerification.objects.filter(user=request.user)},
    )


def _own_verification(request, pk: int) -> DomainVerification:
    verification = get_object_or_404(DomainVerification, pk=pk)
    if verification.user_id != request.user.pk:
        raise Http404("No such verification")
    return verification


@login_required
def verification(request, pk: int):
    return _verification_page(request, _own_verification(request, pk))


def _verification_page(request, v: DomainVerification, status: int = 200):
    return render(
        request,
        "accounts/verification.html",
        {"verification": v, "record_name": record_name(v), "record_value": record_value(v)},
        status=status,
    )


@login_required
@require_POST
def verification_recheck(request, pk: int):
    v = _own_verification(request, pk)
    limited = rate_limited(request, "verification")
    if limited:
        messages.error(request, wait_message(limited))
        return too_many_requests(request, limited, _verification_page(request, v))
    v = verification_check(verification=v)
    if v.status == DomainVerification.Status.VERIFIED:
        messages.success(request, f"{v.domain} is verified. {v.last_result}")
    else:
        messages.warning(request, v.last_result)
    return redirect(v)


@login_required
@require_POST
def verification_delete(request, pk: int):
    v = _own_verification(request, pk)
    domain = v.domain
    v.delete()
    messages.success(request, f"The verification of {domain} is removed.")
    return redirect("verifications")
