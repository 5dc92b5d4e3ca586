"""SLA policies, their evaluation, compliance and live monitoring.

See ``docs/sla.md`` for the model and every rule.
"""

from cxmetrics.sla._context import assign_policies
from cxmetrics.sla.compliance import (
    SlaCompliance,
    SlaComplianceTable,
    sla_at_risk,
    sla_breached_backlog,
    sla_compliance,
    sla_compliance_rate,
)
from cxmetrics.sla.evaluate import evaluate_sla
from cxmetrics.sla.outcomes import OUTCOME_STATUSES, SlaOutcomes
from cxmetrics.sla.policy import SLA_METRICS, SlaCondition, SlaPolicy, SlaPolicySet, SlaTarget

__all__ = [
    "OUTCOME_STATUSES",
    "SLA_METRICS",
    "SlaCompliance",
    "SlaComplianceTable",
    "SlaCondition",
    "SlaOutcomes",
    "SlaPolicy",
    "SlaPolicySet",
    "SlaTarget",
    "assign_policies",
    "evaluate_sla",
    "sla_at_risk",
    "sla_breached_backlog",
    "sla_compliance",
    "sla_compliance_rate",
]
