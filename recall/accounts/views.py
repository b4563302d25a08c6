"""Account pages: sign up (logs the new user in), the profile / study settings, the lockout."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.views import View
from django.views.generic import CreateView, UpdateView

from recall.core.exceptions import ApplicationError, error_body

from .forms import ApiTokenForm, ProfileForm, SignUpForm
from .models import User
from .selectors import user_fresh
from .services import user_update_preferences
from .tokens import api_token_create, api_token_list, api_token_revoke


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """django-axes' answer to a locked-out attempt: the API's JSON error shape, or a page."""
    message = "Too many wrong passwords: try again later."
    if request.path_info.startswith("/api/"):
        return JsonResponse(error_body("throttled", message), status=429)
    context = {"cooloff": settings.AXES_COOLOFF_TIME, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/locked_out.html", context, status=429)


class SignUpView(CreateView):
    form_class = SignUpForm
    template_name = "registration/signup.html"
    success_url = reverse_lazy("home")

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            return HttpResponseRedirect(self.success_url)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: SignUpForm) -> HttpResponse:
        response = super().form_valid(form)
        # The welcome e-mail goes out from the post_save signal, after the commit.
        login(self.request, self.object, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, "Welcome to Recall! Import your notes to get started.")
        return response


class ProfileView(LoginRequiredMixin, UpdateView):
    form_class = ProfileForm
    template_name = "accounts/profile.html"
    success_url = reverse_lazy("accounts:profile")

    def get_object(self, queryset: Any = None) -> User:
        # A copy: validating a model form writes the posted values onto its instance, and the
        # service must still see what the user had before (an e-mail change needs the password).
        return user_fresh(cast(User, self.request.user).pk)

    def form_valid(self, form: ProfileForm) -> HttpResponse:
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            user_update_preferences(
                user=self.request.user,  # type: ignore[arg-type]
                current_password=form.cleaned_data["current_password"],
                request=self.request,
                **fields,
            )
        except ApplicationError as error:
            for field, errors in error.extra.get("fields", {None: [error.message]}).items():
                for message in errors:
                    form.add_error(field, message)
            return self.form_invalid(form)
        messages.success(self.request, "Settings saved.")
        return HttpResponseRedirect(self.get_success_url())


class ApiTokenView(LoginRequiredMixin, View):
    """Settings > API tokens: list, create (the key is shown once, on this response) and revoke."""

    template_name = "accounts/tokens.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, ApiTokenForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ApiTokenForm(request.POST)
        key = ""
        if form.is_valid():
            try:
                _, key = api_token_create(user=request.user, name=form.cleaned_data["name"])
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                form = ApiTokenForm()
        # Rendered, not redirected: the key exists only in this response, never in a session.
        return self._page(request, form, key=key, status=200 if key else 400)

    def _page(
        self, request: HttpRequest, form: ApiTokenForm, *, key: str = "", status: int = 200
    ) -> HttpResponse:
        context = {"form": form, "tokens": api_token_list(user=request.user), "new_key": key}
        response = render(request, self.template_name, context, status=status)
        add_never_cache_headers(response)  # the page may hold a key: keep it out of caches
        return response


class ApiTokenRevokeView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            api_token_revoke(user=request.user, token_id=pk)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Token revoked: it no longer opens the API.")
        return HttpResponseRedirect(reverse_lazy("accounts:tokens"))
