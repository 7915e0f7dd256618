"""Install incentives/ in an app: policies, settings, statement routes and the monthly job."""

from __future__ import annotations

from aiohttp import web

from collectors.invoices.judge import INVOICE_JUDGE
from incentives import objections_api, other_support_api, public
from incentives.install_keys import INCENTIVES_SETTINGS, POLICIES
from incentives.invoice_judge import LedgerJudge
from incentives.parameters import PolicyError
from incentives.policy import DEFAULT_POLICY, Policy, load_policy
from incentives.settings import IncentivesSettings
from incentives.statements import runs_api, schedule, since_api, workflow_api


def load_policies(settings: IncentivesSettings) -> dict[str, Policy]:
    """The shipped policy and every extra file, by name; two files of one name are an error."""
    policies = {DEFAULT_POLICY: load_policy(DEFAULT_POLICY)}
    for path in settings.policy_paths:
        policy = load_policy(str(path))
        if policy.name in policies:
            raise PolicyError([("policy", f"{path}: a policy named {policy.name} is loaded")])
        policies[policy.name] = policy
    return policies


def install(app: web.Application, settings: IncentivesSettings) -> None:
    """Add the loaded policies, the statement routes and the scheduled statement runs."""
    app[INCENTIVES_SETTINGS] = settings
    app[POLICIES] = load_policies(settings)
    # The invoice list's statuses come from the engine's ledger, under the shipped policy.
    app[INVOICE_JUDGE] = LedgerJudge(app[POLICIES][DEFAULT_POLICY], settings.timezone)
    runs_api.add_routes(app)
    since_api.add_routes(app)
    schedule.add_job(app)
    workflow_api.install(app)
    objections_api.install(app)
    other_support_api.install(app)
    public.install(app)
