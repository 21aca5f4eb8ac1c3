"""The co-op API for a member's data rights: what is held, archives to download, and imports.

Everything here concerns the token owner only: another member's export or
import answers 404, whoever asks.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token
from config.api.errors import ApiError, api_view
from config.api.params import ApiParams
from members.access import access_export_by_id, access_import_by_id
from members.actions.exports import check_request_export, do_request_export, export_path
from members.actions.imports import check_start_import, do_start_import, report_lines
from members.api.auth import token_user
from members.data_inventory import data_held_about
from members.data_rights_entities import export_download_name, export_entity, export_etag, import_entity
from members.file_ranges import ranged_file_response
from members.models import DataExport, DataImport


@api_view("GET")
@require_token("read:coop")
def data_held(request: HttpRequest) -> JsonResponse:
    """Return every category of data held about the token owner, with counts, retention and legal basis."""
    return JsonResponse({"categories": [category.as_json() for category in data_held_about(token_user(request))]})


@require_token("read:coop")
def _list_exports(request: HttpRequest) -> JsonResponse:
    exports = DataExport.objects.filter(user=token_user(request)).order_by("-requested_at", "-id")[:20]
    return JsonResponse([export_entity(export) for export in exports], safe=False)


@require_token("write:coop")
def _request_export(request: HttpRequest) -> JsonResponse:
    user = token_user(request)
    check_request_export(user)
    return JsonResponse(export_entity(do_request_export(user)), status=202)


@csrf_exempt
@api_view("GET", "POST")
def exports(request: HttpRequest) -> HttpResponse:
    """List the token owner's archives (GET), or ask for a new one (POST, answered 202 while it is built)."""
    return _request_export(request) if request.method == "POST" else _list_exports(request)


@api_view("GET")
@require_token("read:coop")
def export_detail(request: HttpRequest, export_id: int) -> JsonResponse:
    """Return one of the token owner's archives, with its progress."""
    return JsonResponse(export_entity(access_export_by_id(token_user(request), export_id)))


def serve_export(request: HttpRequest, export: DataExport) -> HttpResponse:
    """Answer with the archive (resumable), 410 once expired, or 409 while it is still being built."""
    if export.state == DataExport.State.EXPIRED:
        raise ApiError("This archive has expired; ask for a new one.", 410)
    path = export_path(export)
    if path is None:
        raise ApiError("This archive is not ready.", 409)
    return ranged_file_response(
        request,
        path,
        download_name=export_download_name(export),
        content_type="application/zip",
        etag=export_etag(export),
    )


@api_view("GET")
@require_token("read:coop")
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    """Download one of the token owner's archives; HTTP Range requests resume an interrupted download."""
    return serve_export(request, access_export_by_id(token_user(request), export_id))


@require_token("read:coop")
def _list_imports(request: HttpRequest) -> JsonResponse:
    imports = DataImport.objects.filter(user=token_user(request)).order_by("-created_at", "-id")[:20]
    return JsonResponse([import_entity(data_import) for data_import in imports], safe=False)


@require_token("write:coop")
def _start_import(request: HttpRequest) -> JsonResponse:
    user = token_user(request)
    params = ApiParams.from_request(request)
    kind = params.get_str("type").strip()
    mode = params.get_str("mode", "merge").strip() or "merge"
    plan = check_start_import(user, kind, mode, params.get_file("data"))
    return JsonResponse(import_entity(do_start_import(user, plan)), status=202)


@csrf_exempt
@api_view("GET", "POST")
def imports(request: HttpRequest) -> HttpResponse:
    """List the token owner's imports (GET), or upload one (POST multipart: type, mode, data)."""
    return _start_import(request) if request.method == "POST" else _list_imports(request)


@api_view("GET")
@require_token("read:coop")
def import_detail(request: HttpRequest, import_id: int) -> JsonResponse:
    """Return one of the token owner's imports with its per-line report."""
    data_import = access_import_by_id(token_user(request), import_id)
    return JsonResponse(import_entity(data_import, lines=list(report_lines(data_import))))
