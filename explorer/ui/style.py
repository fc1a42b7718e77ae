"""Colours and sizes the views share, so the legend and the marks cannot drift apart."""

from __future__ import annotations

from typing import Final

from PySide6.QtGui import QColor

from explorer.model.document import SOURCED_STATUSES, ClaimStatus

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

WARNING_COLOUR: Final = "#a04000"


def source_warning(status: ClaimStatus, sources: int = 0) -> str:
    """The warning for an event whose status says a source stated it, with no source."""
    if sources or status not in SOURCED_STATUSES:
        return ""
    return (
        f"⚠ No source: “{status.value}” means a source stated this event. "
        "Link the source it rests on, or choose another status."
    )


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
EDGE_TAG: Final = QColor(235, 235, 230, 230)


def luminance(colour: QColor) -> float:
    """Relative luminance (WCAG) of an opaque colour, 0 black to 1 white."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def reads_light_on(colour: QColor) -> bool:
    """Whether white text contrasts more than dark text with `colour` (WCAG ratios)."""
    lum = luminance(colour)
    dark = luminance(AXIS_TEXT)
    return (1.05 / (lum + 0.05)) > ((lum + 0.05) / (dark + 0.05))


def actor_colour(colour: str, row: int) -> QColor:
    """The actor's own colour, or a stable one from the palette when it has none."""
    qcolour = QColor(colour) if colour else QColor()
    if not qcolour.isValid():
        qcolour = QColor(FALLBACK_ACTOR_COLOURS[row % len(FALLBACK_ACTOR_COLOURS)])
    return qcolour


def group_colour(index: int) -> QColor:
    """The colour of the index-th lane when lanes are a column's values."""
    return QColor(FALLBACK_ACTOR_COLOURS[index % len(FALLBACK_ACTOR_COLOURS)])


def posture_colour(posture: str) -> QColor:
    return QColor(POSTURE_COLOURS.get(posture.strip().upper(), "#6b6b6b"))


# The analyst's annotations on the timeline and in the detail view: a star above a
# starred mark, a small note corner beside a noted one.
STAR_COLOUR: Final = QColor("#a86f00")  # dark amber: 4.5:1 on the background
NOTE_COLOUR: Final = QColor("#2e6fd8")
