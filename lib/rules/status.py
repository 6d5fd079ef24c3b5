"""The status a centre sees, derived from the service's internal stage."""

from __future__ import annotations

PENDING, SUBMITTED, REJECTED, COMPLETED, REFERRED = "Pending", "Submitted", "Rejected", "Completed", "Referred"
CENTRE_STATUSES = (PENDING, SUBMITTED, REJECTED, COMPLETED, REFERRED)

STAGES = ("pending", "submitted", "accepted", "allocated", "marked", "sampling", "ready", "released", "rejected")
# Inside the service an item moves on; the centre keeps seeing Submitted until results are released.
IN_SERVICE_STAGES = ("submitted", "accepted", "allocated", "marked", "sampling", "ready")

STAGE_LABELS = {
    "pending": "Pending (not yet sent)",
    "submitted": "Awaiting quality check",
    "accepted": "Awaiting allocation",
    "allocated": "With assessor",
    "marked": "Marked",
    "sampling": "Lead assessor sampling",
    "ready": "Ready to release",
    "released": "Released",
    "rejected": "Rejected",
}


def centre_status(stage: str, result: str | None) -> str:
    """Completed when released with every unit passed, Referred when any unit was referred."""
    if stage == "pending":
        return PENDING
    if stage == "rejected":
        return REJECTED
    if stage == "released":
        return COMPLETED if result == "Pass" else REFERRED
    if stage in IN_SERVICE_STAGES:
        return SUBMITTED
    raise ValueError(f"unknown stage {stage!r}")


def centre_status_sql(alias: str = "s") -> str:
    """centre_status as a SQL expression over a submissions row."""
    return (
        f"CASE {alias}.stage WHEN 'pending' THEN 'Pending' WHEN 'rejected' THEN 'Rejected' "
        f"WHEN 'released' THEN CASE WHEN {alias}.result = 'Pass' THEN 'Completed' ELSE 'Referred' END "
        f"ELSE 'Submitted' END"
    )


def sla_target_sql(alias: str = "s") -> str:
    """The Tracker's SLA Target: blank when rejected, the release date once released."""
    return (
        f"CASE {alias}.stage WHEN 'rejected' THEN NULL WHEN 'released' THEN CAST({alias}.released_at AS DATE) "
        f"ELSE {alias}.sla_target END"
    )


def status_equals_sql(alias: str = "s") -> dict[str, str]:
    """For each status, a condition on the stored columns that DuckDB filters fast (same rows as the CASE)."""
    in_service = ", ".join(f"'{stage}'" for stage in IN_SERVICE_STAGES)
    return {
        PENDING: f"{alias}.stage = 'pending'",
        SUBMITTED: f"{alias}.stage IN ({in_service})",
        REJECTED: f"{alias}.stage = 'rejected'",
        COMPLETED: f"{alias}.stage = 'released' AND {alias}.result = 'Pass'",
        REFERRED: f"{alias}.stage = 'released' AND {alias}.result IS DISTINCT FROM 'Pass'",
    }
