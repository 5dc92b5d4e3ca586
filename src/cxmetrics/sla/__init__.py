"""SLA policies, their evaluation, compliance and live monitoring.

See ``docs/sla.md`` for the model and every rule.
"""

from cxmetrics.sla.evaluate import OUTCOME_STATUSES, SlaOutcomes, assign_policies, evaluate_sla
from cxmetrics.sla.policy import SLA_METRICS, SlaCondition, SlaPolicy, SlaPolicySet, SlaTarget

__all__ = [
    "OUTCOME_STATUSES",
    "SLA_METRICS",
    "SlaCondition",
    "SlaOutcomes",
    "SlaPolicy",
    "SlaPolicySet",
    "SlaTarget",
    "assign_policies",
    "evaluate_sla",
]
