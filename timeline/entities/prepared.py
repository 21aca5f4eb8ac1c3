"""Entity queries compiled once per shape and run again with new ids.

Django builds and compiles a query's SQL every time it runs. For the
queries of correlated counts a page of entities needs (a dozen subqueries
each), that costs several times the CPU the database spends answering them.
A prepared query is built once per thread, database and number of ids with
stand-in ids, compiled, and later runs put the real ids where the stand-ins
stood in its parameters, convert the rows as Django would, and skip the rest.
Django has no such cache of its own (its querysets are rebuilt from Python
on each call), hence this module.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet

# Django builds select_related objects with it; the stubs leave it out as internal.
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

# Stand-ins are far below any id the database hands out (ids are positive), so none can be a real parameter.
_STAND_IN_BASE = -(2**62)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    # Per parameter: the index of the argument it takes, or None for a constant of the query.
    slots: tuple[int | None, ...]
    names: tuple[str, ...]
    compiler: Any
    converters: dict[int, Any]


_compiled = threading.local()


def _run(
    name: str, model: type[Model], build: Callable[[list[int]], QuerySet[Any, Any]], arguments: Sequence[int]
) -> tuple[_Compiled, str, list[Any]]:
    """Return the compiled query, the database it ran on and its rows, converted as Django converts them."""
    alias = router.db_for_read(model)
    store: dict[tuple[str, str, int], _Compiled] = _compiled.__dict__.setdefault("queries", {})
    key = (name, alias, len(arguments))
    compiled = store.get(key)
    if compiled is None:
        compiled = _compile(build, len(arguments), alias)
        store[key] = compiled
    # A real id takes its stand-in's type, so that psycopg's Int8 wrapper (and the SQL type it sends) is kept.
    params = [
        value if slot is None else type(value)(arguments[slot])
        for value, slot in zip(compiled.params, compiled.slots, strict=True)
    ]
    with connections[alias].cursor() as cursor:
        cursor.execute(compiled.sql, params)
        rows: list[Any] = cursor.fetchall()
    if compiled.converters:
        rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
    return compiled, alias, rows


def prepared_rows(
    name: str,
    model: type[Model],
    build: Callable[[list[int]], QuerySet[Any, Any]],
    arguments: Sequence[int],
) -> list[dict[str, Any]]:
    """Return the rows of `build(arguments)`, a `values()` query, as dicts, compiling its SQL once per shape.

    `build` must be a pure function of its integer arguments (ids, no clock
    or other state): its SQL is reused for every later call with as many
    arguments. `name` tells the queries apart; `model` is the one the query
    reads, whose database the router picks.
    """
    compiled, _, rows = _run(name, model, build, arguments)
    return [dict(zip(compiled.names, row, strict=True)) for row in rows]


def prepared_models(
    name: str, model: type[Model], build: Callable[[list[int]], QuerySet[Any, Any]], arguments: Sequence[int]
) -> list[Any]:
    """Return the instances of `build(arguments)` with what it `select_related`, compiling its SQL once per shape.

    The rows become instances as Django's own model iterable makes them
    (`from_db`, then each related object); `build` obeys the rules of
    `prepared_rows`, and its query has no annotations.
    """
    compiled, alias, rows = _run(name, model, build, arguments)
    select, klass_info = compiled.compiler.select, compiled.compiler.klass_info
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, alias)
    instances = []
    for row in rows:
        instance = klass_info["model"].from_db(alias, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        instances.append(instance)
    return instances


def _compile(build: Callable[[list[int]], QuerySet[Any, Any]], count: int, alias: str) -> _Compiled:
    stand_ins = [_STAND_IN_BASE - n for n in range(count)]
    query = build(stand_ins).query
    compiler = query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    slots = tuple(_STAND_IN_BASE - value if _is_stand_in(value) else None for value in params)
    if {slot for slot in slots if slot is not None} != set(range(count)):
        raise ValueError("every argument of a prepared query must appear among its parameters")
    names = (*query.extra_select, *query.values_select, *query.annotation_select)
    converters = compiler.get_converters([column for column, _, _ in compiler.select])
    return _Compiled(sql, tuple(params), slots, names, compiler, converters)


def _is_stand_in(value: Any) -> bool:
    # On PostgreSQL, Django passes integers wrapped in psycopg's int subclasses (Int4, Int8).
    return isinstance(value, int) and not isinstance(value, bool) and value <= _STAND_IN_BASE
