"""Asking for dates: a range (from, to) or a single date, typed at any precision."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from explorer.model.dates import DatedValue, DateError, parse_date


class DateDialog(QDialog):
    """One or two date fields; "2025" means the whole year, "2026-06" the month."""

    def __init__(
        self,
        title: str,
        labels: tuple[str, ...],
        values: tuple[str, ...],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("date-dialog")
        form = QFormLayout(self)
        hint = QLabel("Type a date at any precision: 2025, 2026-06, 2026-06-24, 2026-06-24T10:30")
        hint.setWordWrap(True)
        form.addRow(hint)
        self.fields: list[QLineEdit] = []
        for label, value in zip(labels, values, strict=True):
            edit = QLineEdit(value)
            edit.setAccessibleName(label.replace("&", ""))
            edit.setPlaceholderText("empty: no limit")
            form.addRow(label, edit)
            self.fields.append(edit)
        self.error = QLabel("")
        self.error.setObjectName("date-error")
        self.error.setStyleSheet("color: #c0392b;")
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.values: list[DatedValue | None] = []

    def _accept(self) -> None:
        values: list[DatedValue | None] = []
        for edit in self.fields:
            text = edit.text().strip()
            if not text:
                values.append(None)
                continue
            try:
                values.append(parse_date(text))
            except DateError as exc:
                self.error.setText(f"{edit.accessibleName()}: {exc}")
                edit.setFocus()
                return
        self.values = values
        self.accept()
