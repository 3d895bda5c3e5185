"""Something else (a versitygw trial, a stray proxy) still listens on MinIO's API port."""

import socket

_held: list[socket.socket] = []


def pytest_cutover_after_stop(rehearsal):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((rehearsal.listen.bind, rehearsal.listen.api_port))
    sock.listen()
    _held.append(sock)
