"""Export the view: where, in which format (by extension), and at what size."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from explorer.ui.export import VIEW_FORMATS


class ExportViewDialog(QDialog):
    def __init__(self, size: QSize, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export View")
        self.setObjectName("export-view-dialog")
        self.path_edit = QLineEdit(str(path))
        self.path_edit.setAccessibleName("File name (.png, .svg or .pdf)")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.width_box = self._spin(size.width(), "Width in pixels")
        self.height_box = self._spin(size.height(), "Height in pixels")
        form = QFormLayout(self)
        file_label = QLabel("&File:")
        file_label.setBuddy(self.path_edit)  # without a buddy, "&" would show as typed
        form.addRow(file_label, row)
        form.addRow("&Width:", self.width_box)
        form.addRow("&Height:", self.height_box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.buttons = buttons

    @staticmethod
    def _spin(value: int, name: str) -> QSpinBox:
        box = QSpinBox()
        box.setRange(200, 20000)
        box.setValue(max(200, min(value, 20000)))
        box.setSuffix(" px")
        box.setAccessibleName(name)
        return box

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Export view",
            self.path_edit.text(),
            "PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)",
        )
        if name:
            self.path_edit.setText(name)

    def _accept(self) -> None:
        if self.path.suffix.lower() not in VIEW_FORMATS:
            self.path_edit.setText(str(self.path.with_suffix(".png")))
        self.accept()

    @property
    def path(self) -> Path:
        return Path(self.path_edit.text().strip() or "timeline.png")

    @property
    def size(self) -> QSize:  # type: ignore[override]
        return QSize(self.width_box.value(), self.height_box.value())
