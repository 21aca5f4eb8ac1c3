"""The member's data page: what is held about them, archives to download, and imports with their reports."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from config.api.errors import ApiError
from config.web_refusals import refusal_as_message, refusal_on_form
from members.access import access_export_by_id, access_import_by_id
from members.actions.exports import check_request_export, do_request_export
from members.actions.imports import check_start_import, do_start_import, report_lines
from members.api.data_rights import serve_export
from members.data_inventory import data_held_about
from members.models import DataExport, DataImport, User


class ImportForm(forms.Form):
    """What to import, how, and the file."""

    kind = forms.ChoiceField(label=_("What the file holds"), choices=DataImport.Kind.choices)
    mode = forms.ChoiceField(
        label=_("How to import it"),
        choices=DataImport.Mode.choices,
        initial=DataImport.Mode.MERGE,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(label=_("File (CSV from Mastodon, or a ZIP archive for posts)"))


def _viewer(request: HttpRequest) -> User:
    viewer = request.user
    assert isinstance(viewer, User)  # noqa: S101 (login_required lets only users through)
    return viewer


def _page(request: HttpRequest, form: ImportForm, status: int = 200) -> HttpResponse:
    viewer = _viewer(request)
    exports = list(DataExport.objects.filter(user=viewer).order_by("-requested_at", "-id")[:10])
    imports = list(DataImport.objects.filter(user=viewer).order_by("-created_at", "-id")[:10])
    context = {
        "categories": data_held_about(viewer),
        "exports": exports,
        "imports": imports,
        "form": form,
        "busy": any(e.state in (DataExport.State.QUEUED, DataExport.State.RUNNING) for e in exports)
        or any(i.state in (DataImport.State.QUEUED, DataImport.State.RUNNING) for i in imports),
    }
    return render(request, "members/data.html", context, status=status)


@login_required
@require_GET
def data(request: HttpRequest) -> HttpResponse:
    """Show what the server holds about the signed-in member, their archives and their imports."""
    return _page(request, ImportForm())


@login_required
@require_POST
def request_export(request: HttpRequest) -> HttpResponse:
    """Ask for a new archive of one's data."""
    viewer = _viewer(request)
    with refusal_as_message(request):
        check_request_export(viewer)
        do_request_export(viewer)
        messages.success(request, _("Your archive is being prepared. You will get an email when it is ready."))
    return redirect("members:data")


@login_required
@require_GET
def download_export(request: HttpRequest, export_id: int) -> HttpResponse:
    """Download one of one's archives; the download can be resumed."""
    export = access_export_by_id(_viewer(request), export_id)
    try:
        return serve_export(request, export)
    except ApiError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")


@login_required
@require_POST
def start_import(request: HttpRequest) -> HttpResponse:
    """Upload a file to import; a refused file is reported on the page and changes nothing."""
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    viewer = _viewer(request)
    with refusal_on_form(form):
        plan = check_start_import(
            viewer, form.cleaned_data["kind"], form.cleaned_data["mode"], form.cleaned_data["file"]
        )
        data_import = do_start_import(viewer, plan)
        messages.success(request, _("The file was accepted and is being imported."))
        return redirect("members:data_import", import_id=data_import.pk)
    return _page(request, form, status=400)


@login_required
@require_GET
def import_report(request: HttpRequest, import_id: int) -> HttpResponse:
    """Show an import's progress and what became of each line."""
    data_import = access_import_by_id(_viewer(request), import_id)
    return render(
        request, "members/data_import.html", {"data_import": data_import, "lines": list(report_lines(data_import))}
    )
