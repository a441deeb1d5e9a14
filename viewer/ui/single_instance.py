"""The window's end of the per-user socket: one window per user, requests from `open`.

Where the socket lives and why it is safe is viewer/instance.py's business; this module
listens there with QLocalServer (user-only access), reads one small JSON line per
connection within a short time, checks it (viewer.instance.decode) and emits it. Whoever
receives it validates the link once more before anything is sent.
"""

from __future__ import annotations

import logging
from enum import Enum

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

from viewer import instance
from viewer.domain import BadInput

log = logging.getLogger("viewer.ui.instance")


class Claim(Enum):
    LISTENING = "listening"  # this window is the user's one window
    HANDED_OVER = "handed over"  # another window took this start's request: quit
    UNAVAILABLE = "unavailable"  # no safe place to listen: run as a window of its own


class InstanceServer(QObject):
    # A checked request: {"action": "lookup", "link": …, "stamp": …} or {"action": "show", …}.
    received = Signal(dict)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        if instance.WINDOWS:  # pragma: no cover - Windows: the pipe admits this user only
            self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        # Not on POSIX: there Qt binds with socket options to a temporary name and renames it
        # over the real one, replacing a live window's socket instead of failing "in use".
        # The 0700 folder (viewer/instance.py) is what keeps other users out.
        self.server.newConnection.connect(self._accept)
        self.where: instance.Address | None = None
        self.name = ""
        self._reading: set[_Request] = set()  # strong references until each is answered

    def claim(self, message: dict) -> Claim:
        """Listen as the user's window, or hand `message` to the one that already is."""
        try:
            self.where = instance.address()
        except OSError as exc:
            log.warning("single instance off: %s", exc)
            return Claim.UNAVAILABLE
        self.name = (
            instance.new_pipe_name(self.where) if instance.WINDOWS else self.where.server_name
        )
        if self._listen():
            return Claim.LISTENING
        if self.server.serverError() != QAbstractSocket.SocketError.AddressInUseError:
            log.warning("single instance off: %s", self.server.errorString())
            return Claim.UNAVAILABLE
        delivery = instance.hand_over(message)  # a window started meanwhile: give it this request
        if delivery is instance.Delivery.DELIVERED:
            return Claim.HANDED_OVER
        if delivery is instance.Delivery.NOBODY:  # a crashed window left its socket: take over
            QLocalServer.removeServer(self.name)
            if self._listen():
                return Claim.LISTENING
        log.warning("single instance off: the window already listening does not answer")
        return Claim.UNAVAILABLE

    def _listen(self) -> bool:
        if not self.server.listen(self.name):
            return False
        if instance.WINDOWS and self.where is not None:  # pragma: no cover - Windows
            instance.publish_pipe_name(self.where, self.name)
        return True

    def close(self) -> None:
        if self.server.isListening():
            self.server.close()  # removes the socket file
            if instance.WINDOWS and self.where is not None:  # pragma: no cover - Windows
                instance.withdraw_pipe_name(self.where, self.name)

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            connection = self.server.nextPendingConnection()
            if instance.peer_is_this_user(int(connection.socketDescriptor())) is False:
                log.warning("a connection from another user was refused")
                connection.abort()
                connection.deleteLater()
                continue
            request = _Request(connection, self._deliver, self._reading.discard)
            self._reading.add(request)

    def _deliver(self, message: dict) -> None:
        self.received.emit(message)


class _Request(QObject):
    """One connection: at most MAX_MESSAGE_BYTES up to a newline within READ_TIMEOUT_S,
    answered "ok" (accepted) or "no" (refused), then closed."""

    def __init__(self, connection: QLocalSocket, deliver, finished):
        super().__init__(connection)
        self.connection = connection
        self.buffer = b""
        self._deliver = deliver
        self._finished = finished
        connection.readyRead.connect(self._read)
        connection.disconnected.connect(self._close)
        QTimer.singleShot(int(instance.READ_TIMEOUT_S * 1000), self, self._expire)
        if connection.bytesAvailable():
            self._read()

    def _read(self) -> None:
        room = instance.MAX_MESSAGE_BYTES + 1 - len(self.buffer)
        self.buffer += bytes(self.connection.read(max(room, 1)).data())
        if b"\n" in self.buffer:
            self._answer(self.buffer.split(b"\n", 1)[0])
        elif len(self.buffer) > instance.MAX_MESSAGE_BYTES:
            log.warning("a request over %d bytes was refused", instance.MAX_MESSAGE_BYTES)
            self._reply(b"no\n")

    def _answer(self, line: bytes) -> None:
        try:
            message = instance.decode(line)
        except BadInput as exc:
            log.warning("a request was refused: %s", exc.message)
            self._reply(b"no\n")
            return
        self._reply(b"ok\n")
        self._deliver(message)

    def _reply(self, answer: bytes) -> None:
        self.connection.readyRead.disconnect(self._read)
        self.connection.write(answer)
        self.connection.flush()
        self.connection.disconnectFromServer()

    def _expire(self) -> None:
        if self.connection.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            log.warning("a request was not completed within %.0f s", instance.READ_TIMEOUT_S)
            self.connection.abort()
        self._close()

    def _close(self) -> None:
        self._finished(self)
        self.connection.deleteLater()
