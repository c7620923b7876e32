#!/usr/bin/env python3
"""A loopback stand-in for a Scan Engine's side of the standard
(Console-to-Engine) exchange of /work/shared/engine-protocol.md, with fixed
answers, for tests/e2e/test_console_refresh.sh.

usage: fake_engine.py --port-file F --cert F --key F --client-ca F
                      --answer-file F --log F
       fake_engine.py --port-file F --silent

It serves POST /engine/v1/refresh over TLS, one connection at a time, and
requires a client certificate that --client-ca verifies (the console's own
self-signed one). At each request it reads one word from --answer-file:
  active        200 {"state": "active", ...}
  pending       403 {"state": "pending-authorization", ...}
  incompatible  409 {"state": "incompatible", "engine_version": "8.0.0"}
  error         500 with a plain-text body
and appends "<console_id> <console_version> <sha256 of the client
certificate's DER>" to --log. --silent accepts TCP connections and never
answers (no TLS handshake). The port is written to --port-file once it
listens. It runs until killed.
"""
import argparse
import hashlib
import json
import os
import socket
import ssl
import sys
import time

ENGINE_ID = "0b7c2d9e-1f3a-4c5b-8d6e-7f8091a2b3c4"
ANSWERS = {
    "active": (200, "OK", {"state": "active", "engine_id": ENGINE_ID,
                           "engine_name": "fake-engine",
                           "engine_version": "7.3.2"}),
    "pending": (403, "Forbidden", {"state": "pending-authorization",
                                   "engine_id": ENGINE_ID,
                                   "engine_version": "7.3.2"}),
    "incompatible": (409, "Conflict", {"state": "incompatible",
                                       "engine_version": "8.0.0"}),
}


def write_port(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, path)


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        body += chunk
    return head.split(b"\r\n")[0].decode(), body[:length]


def serve(args, listener):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(cafile=args.client_ca)
    while True:
        raw, _ = listener.accept()
        raw.settimeout(10)
        try:
            conn = ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as e:
            with open(args.log, "a") as f:
                f.write("handshake failed: %s\n" % e)
            raw.close()
            continue
        try:
            req = read_request(conn)
            if req is None:
                continue
            line, body = req
            try:
                sent = json.loads(body)
            except ValueError:
                sent = {}
            der = conn.getpeercert(binary_form=True) or b""
            with open(args.log, "a") as f:
                f.write("%s %s %s %s\n" % (line, sent.get("console_id"),
                                           sent.get("console_version"),
                                           hashlib.sha256(der).hexdigest()))
            with open(args.answer_file) as f:
                word = f.read().strip()
            if word in ANSWERS:
                code, reason, obj = ANSWERS[word]
                ctype, payload = "application/json", json.dumps(obj)
            else:
                code, reason = 500, "Internal Server Error"
                ctype, payload = "text/plain", "internal error\n"
            payload = payload.encode()
            conn.sendall(("HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
                          "Content-Length: %d\r\nConnection: close\r\n\r\n"
                          % (code, reason, ctype, len(payload))).encode()
                         + payload)
        except (ssl.SSLError, OSError):
            pass
        finally:
            conn.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--client-ca")
    p.add_argument("--answer-file")
    p.add_argument("--log")
    p.add_argument("--silent", action="store_true")
    args = p.parse_args()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    write_port(args.port_file, listener.getsockname()[1])
    if args.silent:
        held = []
        while True:
            conn, _ = listener.accept()
            held.append(conn)
    serve(args, listener)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
