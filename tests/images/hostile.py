"""A hostile HTTP peer on 127.0.0.1: scripted bytes, dripped, endless or nested without bound."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["Script", "drip", "endless", "hostile_server", "once"]

#: yields the byte strings to send to one connection, with the pause before each
Script = Callable[[], Iterator[tuple[float, bytes]]]


def once(data: bytes) -> Script:
    """Send ``data`` at once, then close."""
    return lambda: iter([(0.0, data)])


def drip(data: bytes, pause: float = 0.05) -> Script:
    """Send ``data`` one byte at a time, ``pause`` seconds apart."""
    return lambda: ((pause, data[i:i + 1]) for i in range(len(data)))


def endless(head: bytes, unit: bytes, pause: float = 0.0) -> Script:
    """Send ``head``, then ``unit`` again and again until the client goes away."""
    def script() -> Iterator[tuple[float, bytes]]:
        yield 0.0, head
        while True:
            yield pause, unit
    return script


@contextmanager
def hostile_server(script: Script) -> Iterator[str]:
    """``host:port`` of a server that answers every connection with ``script``."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)
                for pause, data in script():
                    if stop.is_set():
                        return
                    if pause:
                        time.sleep(pause)
                    conn.sendall(data)
            except OSError:
                return

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        listener.close()
