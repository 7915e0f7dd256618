"""The registry's JSON API: list, create (one or all-or-nothing many), get, patch, delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy import Result, Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from registry.audit import actor_of, record, record_many
from registry.code_keys import code_key
from registry.models import Unit
from registry.resources import RESOURCES, Context, Resource
from registry.review import (
    declare,
    declare_deletion,
    held_for_review,
    load_pending,
    withdraw_all,
)
from registry.schemas import Created, map_fields, merge_maps, non_empty_list
from service.kit.paging import Page
from service.kit.principal import Principal, principal_of
from service.kit.problems import FieldError, Problem, conflict, forbidden, invalid, not_found
from service.kit.roles import check_read, check_write, may_read_all
from service.kit.transaction import flush
from service.kit.view import Answer, ObjectView
from service.kit.web import (
    Operation,
    Strict,
    check_list_length,
    read_json,
    validate,
    validate_many_off_loop,
)


async def unit_ids(session: AsyncSession, codes: set[str]) -> dict[str, int]:
    """Map unit codes to ids, for the codes that exist."""
    if not codes:
        return {}
    rows = await session.execute(select(Unit.code, Unit.id).where(Unit.code.in_(codes)))
    return {code: uid for code, uid in rows.tuples()}


def unique_key(column: str) -> Callable[[str], str]:
    """How values of a unique column are compared: codes by their stored key, others by case."""
    return code_key if column == "code" else str.lower


async def _existing(
    session: AsyncSession, res: Resource, column: str, values: set[str]
) -> dict[str, str]:
    """The stored values equal to these but for case (and width, for codes), by their key."""
    if not values:
        return {}
    col = getattr(res.table, column)
    key = unique_key(column)
    # Codes are found through their indexed key column, the one the database keeps unique.
    compared = res.table.code_key if column == "code" else func.lower(col)  # type: ignore[attr-defined]
    found: dict[str, str] = {}
    chunk = sorted({key(v) for v in values})
    for start in range(0, len(chunk), 500):
        query = select(col).where(compared.in_(chunk[start : start + 500]))
        found |= {key(stored): stored for stored in await session.scalars(query)}
    return found


async def check_references(
    session: AsyncSession, res: Resource, items: list[dict[str, Any]], ctx: Context, many: bool
) -> None:
    """Check unit references, accelerator models and uniqueness; report every problem at once."""
    errors: list[FieldError] = []
    index = (lambda i: i) if many else (lambda i: None)
    refs = {item["unit"] for item in items if item.get("unit")}
    ctx.unit_ids |= await unit_ids(session, refs)
    for i, item in enumerate(items):
        if item.get("unit") and item["unit"] not in ctx.unit_ids:
            errors.append(FieldError("unit", f"unknown unit {item['unit']!r}", index(i)))
        for j, line in enumerate(item.get("accelerators") or []):
            if line["model"] not in ctx.catalogue:
                known = ", ".join(sorted(ctx.catalogue))
                message = f"unknown accelerator model {line['model']!r}; known: {known}"
                errors.append(FieldError(f"accelerators.{j}.model", message, index(i)))
    clashes: list[FieldError] = []
    for column in res.unique:
        # Unique regardless of case: "DC-1" and "dc-1" side by side would be read as one.
        key_of = unique_key(column)
        values = [item.get(column) for item in items]
        stored = await _existing(session, res, column, {v for v in values if v is not None})
        seen: set[str] = set()
        for i, value in enumerate(values):
            if value is None:
                continue
            key = key_of(value)
            if key in stored:
                shown = "" if stored[key] == value else f" as {stored[key]!r}"
                message = f"{value!r} is already registered{shown}"
                clashes.append(FieldError(column, message, index(i)))
            elif key in seen:
                message = f"{value!r} appears twice in this list (letter case aside)"
                errors.append(FieldError(column, message, index(i)))
            seen.add(key)
    if errors:
        raise invalid(errors + clashes)
    if clashes:
        # Valid input that collides with what is stored: a conflict, not a malformed request.
        problem = invalid(clashes, "conflicts with registered objects; nothing was stored")
        raise Problem(409, "Conflict", problem.detail, problem.errors)


async def _get_rows(session: AsyncSession, res: Resource, codes: list[str]) -> list[Any]:
    """Rows by code, in the order given; IN lists of 500 rather than a query per row."""
    found: dict[str, Any] = {}
    for start in range(0, len(codes), 500):
        rows = await session.scalars(
            select(res.table)
            .options(*res.options)
            .where(res.code_column.in_(codes[start : start + 500]))
        )
        found |= {row.code: row for row in rows.unique()}  # type: ignore[attr-defined]
    return [found[code] for code in codes]


async def _visible_row(
    session: AsyncSession, res: Resource, code: str, principal: Principal
) -> Any:
    # Another unit's object the caller may not see answers as an absent one: 404 either way.
    row = await get_row(session, res, code)
    owner = getattr(row, res.owner_column.key)
    check_read(principal, res.access, owner, not_found(res.label, code))
    return row


def _own_unit_only(principal: Principal, res: Resource, owners: list[str], many: bool) -> None:
    """Refuse (403) a non-official's write naming another unit, before looking the unit up.

    Asked first, a lookup would answer "unknown unit" for codes that do not exist and 403 for
    those that do, telling other units' codes apart.
    """
    if principal.is_official:
        return
    if principal.role not in res.access.writers:
        raise forbidden(f"role {principal.role.value!r} may not change a {res.label}")
    errors = [
        FieldError("unit", "a token acts only on its own unit's objects", i if many else None)
        for i, owner in enumerate(owners)
        if owner != principal.unit_code
    ]
    if errors:
        problem = f"a {principal.role.value} token acts only on its own unit's objects"
        raise Problem(403, "Forbidden", problem, errors)


def snapshot(res: Resource, row: Any, ctx: Context) -> dict[str, Any]:
    """An object in its wire form, as the API shows it and the audit log records it."""
    return res.render(row, ctx).model_dump(mode="json")


def whole_of(res: Resource, stored: dict[str, Any]) -> dict[str, Any]:
    """The input fields of a stored object, to validate it as a whole after a change."""
    return {k: v for k, v in stored.items() if k in res.create.model_fields}


def apply_changes(res: Resource, row: Any, changes: dict[str, Any], ctx: Context) -> None:
    """Set validated field values (Python form) on a row's columns."""
    for name, value in res.columns(changes, ctx).items():
        setattr(row, name, value)


async def get_row(session: AsyncSession, res: Resource, code: str) -> Any:
    row = await session.scalar(
        select(res.table).options(*res.options).where(res.code_column == code)
    )
    if row is None:
        raise not_found(res.label, code)
    return row


def _patch_description(res: Resource) -> str:
    text = "Maps (capacity, costs) merge: a key set to null is removed, keys not named are kept."
    if not res.reviewed:
        return text
    fields = ", ".join(res.reviewed)
    return (
        f"{text} A change to {fields} made by the unit's own token is not applied: it waits "
        "for an official's review (GET /api/v1/reviews) and the answer is 202 with the "
        "declared values under `pending`; the other fields apply at once. Officials' and "
        "admins' changes apply at once (200)."
    )


class ResourceView(ObjectView[Context, Any]):
    """The five routes of one registry resource; the scope is the request's lookup context."""

    def __init__(self, res: Resource) -> None:
        super().__init__(_operations(res))
        self.res = res
        self.query = res.query
        self.patch_body = res.patch
        self.out = res.out

    async def scope(self, request: web.Request, session: AsyncSession) -> Context:
        """The catalogue every render needs; pending declarations are added as rows are read."""
        ctx = Context()
        await ctx.load_catalogue(session)
        return ctx

    def listed(self, request: web.Request, scope: Context, query: Any) -> Select[Any]:
        """The caller's visible objects matching the filters, by code."""
        res, principal = self.res, principal_of(request)
        conditions = res.filters(query)
        if not may_read_all(principal, res.access):
            conditions.append(res.owner_column == principal.unit_id)
        return select(res.table).options(*res.options).where(*conditions).order_by(res.code_column)

    async def render_page(
        self, session: AsyncSession, scope: Context, rows: Result[Any]
    ) -> list[Any]:
        """The page's objects with their pending declarations."""
        found: list[Any] = list(rows.scalars().unique())
        await load_pending(session, self.res, scope, [r.code for r in found])
        return [self.res.render(r, scope) for r in found]

    async def lookup(self, request: web.Request, session: AsyncSession, scope: Context) -> Any:
        """The object of the path's code, if the caller may see it."""
        principal = principal_of(request)
        return await _visible_row(session, self.res, request.match_info["code"], principal)

    async def render(self, session: AsyncSession, scope: Context, obj: Any) -> BaseModel:
        """One object with its pending declaration."""
        await load_pending(session, self.res, scope, [obj.code])
        return self.res.render(obj, scope)

    async def read_create(self, request: web.Request) -> tuple[list[Strict], bool]:
        """One object or a list of them, every item checked, and whether it was a list."""
        res, principal = self.res, principal_of(request)
        body = await read_json(request)
        many = isinstance(body, list)
        if many:
            if not body:
                raise invalid([FieldError("body", "the list is empty")])
            check_list_length(body)
            models: list[Strict] = await validate_many_off_loop(res.create, body)
        else:
            models = [validate(res.create, body)]
        _own_unit_only(principal, res, [res.owner_code(m) for m in models], many)
        return models, many

    async def perform_create(
        self,
        request: web.Request,
        session: AsyncSession,
        scope: Context,
        given: tuple[list[Strict], bool],
    ) -> BaseModel:
        """Add every object or none; a unit's own wait for review; each audited."""
        res, principal, ctx = self.res, principal_of(request), scope
        models, many = given
        items = [res.item_of(m) for m in models]
        await check_references(session, res, items, ctx, many)
        for model in models:
            owner = res.owner_code(model)
            check_write(
                principal,
                res.access,
                ctx.unit_ids.get(owner, -1),
                f"{res.label} of unit {owner!r}",
            )
        rows = [res.table(**res.columns(item, ctx)) for item in items]
        held = held_for_review(principal, res)
        for row in rows:
            if held:
                # What a unit registers itself counts only once an official accepts it.
                row.verified = False  # type: ignore[attr-defined]
        session.add_all(rows)
        await flush(session)
        fresh = await _get_rows(session, res, [r.code for r in rows])  # type: ignore[attr-defined]
        if held:
            actor = actor_of(request)
            for row in fresh:
                stored = snapshot(res, row, ctx)
                await declare(session, res, row, row.unit.code, stored, stored, (), None, actor)
            await load_pending(session, res, ctx, [r.code for r in fresh])
        outs = [res.render(r, ctx) for r in fresh]
        await record_many(
            session,
            actor_of(request),
            "create",
            res.object_type,
            [(o.code, None, o.model_dump(mode="json")) for o in outs],  # type: ignore[attr-defined]
        )
        return Created[res.out](items=outs) if many else outs[0]  # type: ignore[name-defined]

    async def perform_update(
        self, request: web.Request, session: AsyncSession, scope: Context, obj: Any, given: Any
    ) -> Answer:
        """Apply the change, or declare the reviewed fields of a unit's own (202); audited."""
        res, principal, ctx, row = self.res, principal_of(request), scope, obj
        code = request.match_info["code"]
        named = given.model_dump(mode="json", exclude_unset=True)
        held = held_for_review(principal, res)
        what = f"{res.label} {code!r}"
        check_write(principal, res.access, getattr(row, res.owner_column.key), what)
        await load_pending(session, res, ctx, [code])
        before = snapshot(res, row, ctx)
        pending = ctx.pending.get(code) if held else None
        base = whole_of(res, before) | (pending.changes if pending else {})
        # The object as it would be must still be valid as a whole (e.g. dates in order);
        # maps merge into the stored ones.
        whole = validate(res.create, merge_maps(base, named, map_fields(res.create)))
        full = whole.model_dump()
        changes = {k: full[k] for k in named}
        if "unit" in changes:
            _own_unit_only(principal, res, [changes["unit"]], many=False)
        # Unchanged unique values are the row's own; only new ones can collide.
        refs = {k: v for k, v in changes.items() if k not in res.unique or v != getattr(row, k)}
        await check_references(session, res, [refs], ctx, many=False)
        if "unit" in changes:
            check_write(principal, res.access, ctx.unit_ids[changes["unit"]], what)
        declared = [k for k in named if k in res.reviewed] if held else []
        apply_changes(res, row, {k: v for k, v in changes.items() if k not in declared}, ctx)
        entry = None
        if held:
            unit_code = row.unit.code
            entry = await declare(
                session, res, row, unit_code, before, whole.model_dump(mode="json"),
                declared, pending, actor_of(request),
            )  # fmt: skip
        await flush(session)
        session.expire(row)
        row = await get_row(session, res, code)
        ctx.pending.pop(code, None)
        await load_pending(session, res, ctx, [code])
        out = res.render(row, ctx)
        await record(
            session,
            actor_of(request),
            "update",
            res.object_type,
            code,
            before,
            out.model_dump(mode="json"),
        )
        # 202: what was declared waits for an official; the answer's `pending` shows it.
        waits = entry is not None and any(k in entry.changes for k in declared)
        return Answer(out, 202 if waits else 200)

    async def perform_destroy(
        self, request: web.Request, session: AsyncSession, scope: Context, obj: Any
    ) -> Answer | None:
        """Delete, refused (409) while other records depend on it; audited.

        A unit's own verified centre or node is not deleted at once: the rules read it, so the
        deletion waits for an official like any other money-deciding change (202).
        """
        res, principal, ctx, row = self.res, principal_of(request), scope, obj
        code = request.match_info["code"]
        check_write(
            principal, res.access, getattr(row, res.owner_column.key), f"{res.label} {code!r}"
        )
        await refuse_if_depended_on(session, res, row, code)
        await load_pending(session, res, ctx, [code])
        before = snapshot(res, row, ctx)
        if held_for_review(principal, res) and row.verified:
            await declare_deletion(session, res, row, row.unit.code, before, actor_of(request))
            ctx.pending.pop(code, None)
            await load_pending(session, res, ctx, [code])
            return Answer(res.render(row, ctx), 202)
        await withdraw_all(session, res, code, actor_of(request))
        await delete_row(session, res, row, code)
        await record(session, actor_of(request), "delete", res.object_type, code, before, None)
        return None


async def refuse_if_depended_on(session: AsyncSession, res: Resource, row: Any, code: str) -> None:
    """409 naming what still refers to the object."""
    for table, column, label in res.dependents:
        count = await session.scalar(
            select(func.count()).select_from(table).where(getattr(table, column) == row.id)
        )
        if count:
            raise conflict(f"{res.label} {code!r} still has {count} {label}; remove them first")


async def delete_row(session: AsyncSession, res: Resource, row: Any, code: str) -> None:
    """Delete one object now; 409 when the database finds a record still depending on it."""
    await session.delete(row)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise conflict(f"other records still depend on {res.label} {code!r}") from None


def _operations(res: Resource) -> dict[str, Operation]:
    """What the OpenAPI document says of the five routes of one resource."""
    return {
        "list": Operation(
            summary=f"List {res.tag}",
            tag=res.tag,
            query=res.query,
            responses={200: Page[res.out]},  # type: ignore[name-defined]
            problems=(400, 401, 403),
        ),
        "create": Operation(
            summary=f"Create one {res.label}, or a list all-or-nothing",
            tag=res.tag,
            body=res.create | non_empty_list(res.create),
            responses={201: res.out | Created[res.out]},  # type: ignore[name-defined]
            problems=(400, 401, 403, 409, 413, 415, 422),
        ),
        "retrieve": Operation(
            summary=f"Get one {res.label} by code",
            tag=res.tag,
            responses={200: res.out},
            problems=(401, 403, 404),
        ),
        "update": Operation(
            summary=f"Change fields of one {res.label}",
            tag=res.tag,
            body=res.patch,
            responses={200: res.out, 202: res.out} if res.reviewed else {200: res.out},
            problems=(400, 401, 403, 404, 409, 413, 415, 422),
            description=_patch_description(res),
        ),
        "destroy": Operation(
            summary=f"Delete one {res.label}; refused while other records depend on it",
            tag=res.tag,
            responses={204: None, 202: res.out} if res.reviewed else {204: None},
            description=(
                "A unit's own verified object is not deleted at once: the deletion waits in "
                "/api/v1/reviews for an official (202 with `pending`)."
                if res.reviewed
                else None
            ),
            problems=(401, 403, 404, 409),
        ),
    }


def add_routes(app: web.Application) -> None:
    """Add the five routes of every registry resource under /api/v1."""
    for res in RESOURCES:
        base = f"/api/v1/{res.path}"
        ResourceView(res).add_routes(app, base, base + "/{code}")
