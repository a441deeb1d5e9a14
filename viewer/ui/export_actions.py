"""Taking the timeline out of the window: CSV and a printable HTML report of the rows shown
(this tab, this filter), "Copy customer summary" for a ticket, and the rows the agent
selected copied as text or JSON. The formats are viewer/export.py's (no Qt); this module
asks where to save (a non-modal file dialog), writes off the GUI thread, and says what
happened in a sentence.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from viewer.domain import Interaction, LookupResult, channel_label, status_display
from viewer.export import customer_summary, report_html, to_csv
from viewer.i18n import _, ngettext
from viewer.present import DIRECTION_ARROWS, dumps, interaction_json, local_time
from viewer.safe_text import shown
from viewer.timeline import TimelineFilter

log = logging.getLogger("viewer.ui")

COPY_LIMIT = 10_000  # rows Ctrl+C puts on the clipboard; export CSV for more
TEXT_HEADER = ("Time", "Source", "Channel", "Status", "Subject", "Receiver / contact")


# -- copying rows (Ctrl+C, Ctrl+Shift+C) ------------------------------------------------------


def rows_as_text(items: list[Interaction]) -> str:
    """Tab-separated lines, a header first: pastes as a table into a ticket or a sheet.
    Every cell is one visible, bounded line (a tab or newline inside a value is shown)."""
    lines = ["\t".join(TEXT_HEADER)]
    for item in items:
        cells = (
            local_time(item.occurred_at),
            item.source.label,
            f"{DIRECTION_ARROWS[item.direction]} {channel_label(item.channel)}",
            status_display(item.status)[0],
            item.subject,
            item.counterpart,
        )
        lines.append("\t".join(shown(cell) for cell in cells))
    return "\n".join(lines)


def rows_as_json(items: list[Interaction]) -> str:
    """The rows as `lookup --json` writes its interactions."""
    return dumps([interaction_json(item) for item in items])


# -- files ------------------------------------------------------------------------------------


def file_stem(result: LookupResult, now: datetime) -> str:
    """ "Priya Sharma 2026-11-22": a name from a server may hold anything, so only letters,
    digits, spaces, dots, dashes and underscores are kept (no path, no device name)."""
    name = result.customer.name or result.query.value or "customer"
    safe = re.sub(r"[^\w .-]+", " ", name, flags=re.UNICODE)
    safe = " ".join(safe.replace("..", " ").split()).strip(" .")[:60] or "customer"
    return f"{safe} {now:%Y-%m-%d}"


def write_private(path: Path, text: str, encoding: str) -> None:
    """Write `text` to a file only its owner can read (DESIGN.md: files are user-only)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if os.name == "posix":
        os.fchmod(descriptor, 0o600)  # an older file of that name may have been readable
    with open(descriptor, "w", encoding=encoding, newline="") as out:
        out.write(text)


class ExportActions(QObject):
    # The path written, once the file is complete.
    saved = Signal(str)
    # The sentence shown when a file could not be written.
    failed = Signal(str)

    def __init__(
        self,
        result: Callable[[], LookupResult | None],
        rows: Callable[[], list[Interaction]],
        current_filter: Callable[[], TimelineFilter],
        status: Callable[[str], None],
        problem: Callable[[str], None],
        parent: QWidget,
    ):
        super().__init__(parent)
        self._result, self._rows, self._filter = result, rows, current_filter
        self._status, self._problem = status, problem
        self._window = parent
        self.dialog: QFileDialog | None = None
        self._writes: set[asyncio.Task] = set()
        self.csv_action = QAction(_("Export shown rows as CSV…"), self)
        self.csv_action.triggered.connect(lambda: self.ask_path("csv"))
        self.report_action = QAction(_("Printable report (HTML)…"), self)
        self.report_action.triggered.connect(lambda: self.ask_path("html"))
        self.summary_action = QAction(_("Copy customer summary"), self)
        self.summary_action.triggered.connect(self.copy_summary)
        self.menu = QMenu(_("&Export"), parent)
        self.menu.addActions([self.csv_action, self.report_action])
        self.menu.addSeparator()
        self.menu.addAction(self.summary_action)
        # Always enabled: with no customer on screen, a trigger says what to do first.

    # -- summary --------------------------------------------------------------------------
    def copy_summary(self) -> None:
        result = self._result()
        if result is None:
            self._status(_("Search for a customer first."))
            return
        QGuiApplication.clipboard().setText(customer_summary(result, datetime.now().astimezone()))
        self._status(_("Customer summary copied: paste it into the ticket."))

    # -- files ----------------------------------------------------------------------------
    def ask_path(self, kind: str) -> None:
        """A non-modal save dialog; the file is written when the agent picks a name."""
        result = self._result()
        if result is None:
            self._status(_("Search for a customer first."))
            return
        if self.dialog is not None:
            self.dialog.close()
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        start = Path(folder or Path.home()) / f"{file_stem(result, datetime.now())}.{kind}"
        caption = _("Export rows as CSV") if kind == "csv" else _("Save a printable report")
        dialog = QFileDialog(self._window, caption, str(start))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(kind)
        dialog.setNameFilter(_("CSV (*.csv)") if kind == "csv" else _("Web page (*.html)"))
        dialog.selectFile(str(start))
        dialog.fileSelected.connect(lambda path: self.save(kind, Path(path)))
        dialog.finished.connect(lambda _code, d=dialog: self._forget(d))
        self.dialog = dialog
        dialog.open()

    def _forget(self, dialog: QFileDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def save(self, kind: str, path: Path) -> asyncio.Task | None:
        """Write the rows shown now (this tab, this filter, this order) to `path`."""
        result = self._result()
        if result is None:
            return None
        rows, flt, now = self._rows(), self._filter(), datetime.now().astimezone()
        self._status(
            ngettext(
                "Saving {count:,} row to {file}…", "Saving {count:,} rows to {file}…", len(rows)
            ).format(count=len(rows), file=shown(path.name))
        )
        task = asyncio.ensure_future(self._write(kind, path, result, rows, flt, now))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)
        return task

    async def _write(
        self,
        kind: str,
        path: Path,
        result: LookupResult,
        rows: list[Interaction],
        flt: TimelineFilter,
        now: datetime,
    ) -> None:
        def build_and_write() -> None:  # 100,000 rows take a moment: off the GUI thread
            if kind == "csv":  # with a BOM, so a spreadsheet reads accents and emoji right
                write_private(path, to_csv(rows), "utf-8-sig")
            else:
                write_private(path, report_html(result, flt, rows, now), "utf-8")

        try:
            await asyncio.to_thread(build_and_write)
        except OSError as exc:
            sentence = _("Could not save {file}: {reason}.").format(
                file=shown(path.name), reason=shown(exc.strerror or exc)
            )
            self._problem(sentence)
            self.failed.emit(sentence)
            return
        if kind == "html":
            said = _("Saved the report to {path}.")
        else:
            said = ngettext(
                "Saved the {count:,} row to {path}.",
                "Saved the {count:,} rows to {path}.",
                len(rows),
            )
        self._status(said.format(count=len(rows), path=shown(str(path))))
        self.saved.emit(str(path))

    async def shutdown(self) -> None:
        for task in list(self._writes):
            try:
                await task
            except Exception:  # a failed write was told already; quitting goes on
                log.exception("export failed while quitting")
