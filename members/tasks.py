"""Members' Celery tasks: thin wrappers that take ids and call actions."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from members.actions.deletion import do_erase_account, due_account_deletions
from members.actions.exports import do_build_export, do_expire_exports, unfinished_exports
from members.actions.imports import do_process_import, unfinished_imports


@shared_task(name="members.tasks.build_data_export")
def build_data_export(export_id: int) -> int:
    """Build a member's archive; return its size in bytes (0 if there was nothing to do)."""
    export = do_build_export(export_id)
    return export.size if export is not None else 0


@shared_task(name="members.tasks.process_data_import")
def process_data_import(import_id: int) -> int:
    """Process an uploaded import; return how many lines were processed."""
    data_import = do_process_import(import_id)
    return data_import.processed if data_import is not None else 0


@shared_task(name="members.tasks.expire_data_exports")
def expire_data_exports() -> int:
    """Delete archives whose week is over."""
    return do_expire_exports()


@shared_task(name="members.tasks.requeue_data_rights_work")
def requeue_data_rights_work(min_age_seconds: int = 60) -> int:
    """Queue again the exports and imports whose task was lost."""
    min_age = timedelta(seconds=min_age_seconds)
    export_ids, import_ids = unfinished_exports(min_age), unfinished_imports(min_age)
    for export_id in export_ids:
        build_data_export.delay(export_id)
    for import_id in import_ids:
        process_data_import.delay(import_id)
    return len(export_ids) + len(import_ids)


@shared_task(name="members.tasks.erase_account")
def erase_account(deletion_id: int) -> bool:
    """Erase one account whose grace period is over (a no-op if it is not due or already erased)."""
    return do_erase_account(deletion_id)


@shared_task(name="members.tasks.erase_due_accounts")
def erase_due_accounts(min_age_seconds: int = 0) -> int:
    """Erase every account whose grace period is over; also recovers an erasure lost with a worker."""
    erased = 0
    for deletion_id in due_account_deletions():
        erased += int(do_erase_account(deletion_id))
    return erased
