"""Names for screen readers where Qt does not find one by itself.

Qt names a field after its form label only when the label is the field's buddy, which
`QFormLayout.addRow("Label", field)` sets and `addRow(QLabel(...), field)` does not; and a
combo box is always read by its current choice ("All time"), never by its label. So a
form's fields get their labels as buddies, and its combo boxes the label as their name.
Values the agent reads out are made reachable and selectable by keyboard.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel


def name_fields_by_labels(form: QFormLayout) -> None:
    """Each labelled field of `form` is read by its label (a name already set is kept)."""
    for row in range(form.rowCount()):
        label_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        field_item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        label = label_item.widget() if label_item is not None else None
        field = field_item.widget() if field_item is not None else None
        if not isinstance(label, QLabel) or field is None:
            continue
        if label.buddy() is None:
            label.setBuddy(field)
        if isinstance(field, QComboBox) and not field.accessibleName():
            field.setAccessibleName(label.text().replace("&", ""))


SELECTABLE = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)


def readable_by_keyboard(label: QLabel) -> QLabel:
    """A value the agent reads out or copies (a name, a number, a detail field): Tab reaches
    it, Shift+arrows select, Ctrl+C copies, and a screen reader reads it on focus. Qt gives a
    keyboard-selectable label click focus only."""
    label.setTextInteractionFlags(SELECTABLE)
    label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return label
