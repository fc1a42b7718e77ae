"""Colours and sizes the views share, so the legend and the marks cannot drift apart."""

from __future__ import annotations

from typing import Final

from PySide6.QtGui import QColor

from explorer.model.document import ClaimStatus

FALLBACK_ACTOR_COLOURS: Final = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#9c755f",
    "#ff9da7",
    "#bab0ac",
)
NO_ACTOR_COLOUR: Final = "#7f7f7f"

POSTURE_COLOURS: Final = {
    "ESCALATING": "#c0392b",
    "PROACTIVE": "#2e6fd8",
    "DOCUMENTED": "#2e9d5b",
    "DUAL TRACK": "#d68910",
}

STATUS_DESCRIPTIONS: Final = {
    ClaimStatus.CONFIRMED: "Confirmed: established fact",
    ClaimStatus.REPORTED: "Reported: stated by a source, not independently confirmed",
    ClaimStatus.ALLEGED: "Alleged: one party's accusation",
    ClaimStatus.DISPUTED: "Disputed: contested by another party",
    ClaimStatus.RETRACTED: "Retracted: withdrawn by its source",
    ClaimStatus.UNASSESSED: "Unassessed: nobody has said on whose word it rests yet",
}

STATUS_TEXT_COLOURS: Final = {
    ClaimStatus.ALLEGED: QColor("#a04000"),
    ClaimStatus.DISPUTED: QColor("#c0392b"),
    ClaimStatus.RETRACTED: QColor("#7f7f7f"),
    ClaimStatus.UNASSESSED: QColor("#5f6b7a"),
}

UNASSESSED_EDGE: Final = QColor("#7d8794")  # neutral: no claim either way

BACKGROUND: Final = QColor("#fbfbfa")
LANE_ALT: Final = QColor("#f3f3f1")
GRID: Final = QColor("#e2e2de")
AXIS_TEXT: Final = QColor("#3b3b3b")
MUTED_TEXT: Final = QColor("#6b6b6b")
SELECTION: Final = QColor("#111111")
TODAY: Final = QColor("#d35400")


def actor_colour(colour: str, row: int) -> QColor:
    """The actor's own colour, or a stable one from the palette when it has none."""
    qcolour = QColor(colour) if colour else QColor()
    if not qcolour.isValid():
        qcolour = QColor(FALLBACK_ACTOR_COLOURS[row % len(FALLBACK_ACTOR_COLOURS)])
    return qcolour


def posture_colour(posture: str) -> QColor:
    return QColor(POSTURE_COLOURS.get(posture.strip().upper(), "#6b6b6b"))
