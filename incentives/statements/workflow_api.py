"""HTTP API of the review workflow: submit, approve, reject, publish, finalise, disburse, export."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, Field

from incentives.install_keys import INCENTIVES_SETTINGS, POLICIES
from incentives.models import Statement
from incentives.statements.export import MEDIA_TYPES, FileFormat, Lang, filename
from incentives.statements.files import statement_file
from incentives.statements.review import ActionInput, apply_action
from incentives.statements.workflow import (
    NOTICED,
    OFFICIAL_ACTIONS,
    Action,
    Status,
    WorkflowRules,
    allowed_actions,
)
from registry.audit import actor_of
from registry.fields import Day
from registry.models import utcnow
from registry.money import fen_text
from service.kit.keys import DB, Handler
from service.kit.principal import principal_of
from service.kit.problems import Problem, forbidden
from service.kit.roles import require_official
from service.kit.web import (
    Strict,
    operation,
    path_id,
    read_json,
    read_query,
    respond,
    validate,
)

SIGNED_MONEY = r"^-?[0-9]+\.[0-9]{2}$"

SUMMARIES = {
    Action.SUBMIT: "Submit a draft statement for approval (officials)",
    Action.APPROVE: "Approve a submitted statement; not by the key that submitted it (four eyes)",
    Action.REJECT: "Reject a submitted or approved statement back to draft, with a comment",
    Action.PUBLISH: "Publish an approved statement for public notice (公示)",
    Action.FINALISE: "Finalise a published statement after its notice, with no open objection",
    Action.DISBURSE: "Record the payment of a final statement: reference and date",
}
DESCRIPTIONS = {
    Action.SUBMIT: "A voucher statement for year Y is submitted only once Y has ended and "
    "the grace period (INCENTIVES_VOUCHER_GRACE_DAYS) has passed, on the Asia/Shanghai "
    "calendar; before that the answer is 409 naming the first day.",
    Action.APPROVE: "403 when the approving key is the one that submitted the statement.",
    Action.REJECT: "`comment` is required.",
    Action.PUBLISH: "The notice period ends INCENTIVES_NOTICE_DAYS × 24 hours later.",
    Action.FINALISE: "The files of a final statement are kept and never change.",
    Action.DISBURSE: "`reference` and `paid_on` are required.",
}


class ActionBody(Strict):
    """What an official may send with a review action; every field is optional."""

    comment: str | None = Field(None, max_length=2000)
    reference: str | None = Field(None, max_length=100)
    paid_on: Day | None = None


class StatementState(BaseModel):
    """A statement's place in the workflow, and what may be done next."""

    id: int
    policy: str
    clause: str
    period: str
    number: int
    status: Status
    as_of: dt.date
    total: Annotated[str, Field(pattern=SIGNED_MONEY)]
    submitted_by: str | None
    submitted_at: dt.datetime | None
    approved_by: str | None
    approved_at: dt.datetime | None
    published_at: dt.datetime | None
    notice_ends_at: dt.datetime | None
    finalised_at: dt.datetime | None
    disbursed_at: dt.datetime | None
    payment_reference: str | None
    paid_on: dt.date | None
    comment: str | None
    next_actions: list[Action]


class ExportQuery(Strict):
    """Which file of a statement."""

    format: FileFormat = FileFormat.XLSX
    lang: Lang = Lang.ZH


def state_of(statement: Statement) -> StatementState:
    """The workflow view of a statement."""
    return StatementState(
        id=statement.id,
        policy=statement.policy,
        clause=statement.clause,
        period=statement.period,
        number=statement.number,
        status=Status(statement.status),
        as_of=statement.as_of,
        total=fen_text(statement.total_fen),
        submitted_by=statement.submitted_by,
        submitted_at=statement.submitted_at,
        approved_by=statement.approved_by,
        approved_at=statement.approved_at,
        published_at=statement.published_at,
        notice_ends_at=statement.notice_ends_at,
        finalised_at=statement.finalised_at,
        disbursed_at=statement.disbursed_at,
        payment_reference=statement.payment_reference,
        paid_on=statement.paid_on,
        comment=statement.comment,
        next_actions=allowed_actions(Status(statement.status)),
    )


def statement_id_of(request: web.Request) -> int:
    """The statement id of the path, or 404."""
    return path_id(request, "statement")


def rules_of(app: web.Application) -> WorkflowRules:
    """The workflow's settings, as the service was started with."""
    settings = app[INCENTIVES_SETTINGS]
    return WorkflowRules(
        notice_days=settings.notice_days,
        voucher_grace_days=settings.voucher_grace_days,
        timezone=settings.timezone,
    )


def action_handler(action: Action) -> Handler:
    """The handler of POST /api/v1/statements/{id}/<action>."""

    @operation(
        summary=SUMMARIES[action],
        tag="statements",
        body=ActionBody,
        responses={200: StatementState},
        problems=(400, 401, 403, 404, 409, 415, 422),
        description=DESCRIPTIONS[action] + " A transition not allowed from the current status "
        "is a 409 naming both statuses.",
    )
    async def handler(request: web.Request) -> web.Response:
        principal = principal_of(request)
        require_official(principal, f"{action.value} statements")
        statement_id = statement_id_of(request)
        raw = await read_json(request) if request.body_exists else {}
        body = validate(ActionBody, raw)
        given = ActionInput(comment=body.comment, reference=body.reference, paid_on=body.paid_on)
        async with request.app[DB]() as session, session.begin():
            statement = await apply_action(
                session,
                statement_id,
                action,
                given,
                actor_of(request),
                rules_of(request.app),
                request.app[POLICIES],
                utcnow(),
            )
            state = state_of(statement)
        return respond(state)

    handler.__name__ = f"post_statement_{action.value}"
    handler.__doc__ = f"POST /api/v1/statements/{{id}}/{action.value}."
    return handler


@operation(
    summary="Download a statement as XLSX or CSV (Chinese headers; lang=en for English)",
    tag="statements",
    query=ExportQuery,
    response_media={
        200: {
            MEDIA_TYPES[FileFormat.XLSX]: {
                "type": "string",
                "contentMediaType": "application/octet-stream",
            },
            "text/csv": {"type": "string"},
        }
    },
    problems=(400, 401, 403, 404),
    description="Amounts are numbers with two decimals; every text cell is safe against "
    "formula injection. A final statement's file is kept at finalising and is byte-identical "
    "on every download. A unit's token gets only its own lines of published and later "
    "statements (the total is then the sum of those lines).",
)
async def get_export(request: web.Request) -> web.Response:
    """GET /api/v1/statements/{id}/export."""
    principal = principal_of(request)
    statement_id = statement_id_of(request)
    query = read_query(request, ExportQuery)
    async with request.app[DB]() as session:
        statement = await session.get(Statement, statement_id)
        if statement is None:
            raise Problem(404, "Not found", f"no statement with id {statement_id}")
        unit_id: int | None = None
        if not principal.is_official:
            if Status(statement.status) not in NOTICED:
                raise forbidden(
                    f"statement {statement_id} is {statement.status}; a unit's token sees its "
                    "own lines of published, final and disbursed statements only"
                )
            unit_id = principal.unit_id
        policy = request.app[POLICIES].get(statement.policy)
        content, document = await statement_file(
            session, statement, policy, query.format, query.lang, unit_id
        )
    name = filename(document, query.format, query.lang)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    response = web.Response(body=content, headers=headers)
    response.content_type = MEDIA_TYPES[query.format].split(";")[0]
    if query.format is FileFormat.CSV:
        response.charset = "utf-8"
    return response


def install(app: web.Application) -> None:
    """Add the review actions and the export route."""
    for action in OFFICIAL_ACTIONS:
        app.router.add_post(f"/api/v1/statements/{{id}}/{action.value}", action_handler(action))
    app.router.add_get("/api/v1/statements/{id}/export", get_export, allow_head=False)


__all__ = ["ActionBody", "StatementState", "install", "state_of"]
