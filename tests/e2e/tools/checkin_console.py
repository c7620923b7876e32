#!/usr/bin/env python3
"""A tiny Engine-to-Console console for the sample engine's tests
(engine-protocol.md): TLS on 127.0.0.1:PORT with CERT and KEY, asks for a
client certificate (trusting TRUST, the engine's own), answers
POST /engines/v1/checkin with 200 {"state": "active"} when the client's key
is ENGINE_SPKI (hex SHA-256 of its DER SubjectPublicKeyInfo), else 403
{"state": "unknown-engine"}. Each request is a line in LOG:
"<method> <path> engine-key|other-key <body>". READY is made once it
listens.

usage: checkin_console.py PORT CERT KEY LOG TRUST ENGINE_SPKI READY
"""
import hashlib
import http.server
import ssl
import subprocess
import sys

port, cert, key, log, trust, engine_spki, ready = sys.argv[1:8]


def spki(der):
    """The hex SHA-256 of a DER certificate's SubjectPublicKeyInfo."""
    pem = ssl.DER_cert_to_PEM_cert(der).encode()
    pub = subprocess.run(['openssl', 'x509', '-pubkey', '-noout'], input=pem,
                         capture_output=True, check=True).stdout
    raw = subprocess.run(['openssl', 'pkey', '-pubin', '-outform', 'DER'],
                         input=pub, capture_output=True, check=True).stdout
    return hashlib.sha256(raw).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        der = self.connection.getpeercert(binary_form=True)
        known = der is not None and spki(der) == engine_spki
        with open(log, 'a') as f:
            f.write('%s %s %s %s\n' % (self.command, self.path,
                    'engine-key' if known else 'other-key', body.decode()))
        out = b'{"state": "active"}' if known else \
            b'{"state": "unknown-engine"}'
        self.send_response(200 if known else 403)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(out)))
        self.send_header('Connection', 'close')
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


class Server(http.server.HTTPServer):
    def handle_error(self, request, client_address):
        # A client that ends the handshake (the engine, when this key is
        # not the pinned one) is no error of this console's.
        pass


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.verify_mode = ssl.CERT_OPTIONAL
ctx.load_verify_locations(trust)
srv = Server(('127.0.0.1', int(port)), Handler)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(ready, 'w').close()
srv.serve_forever()
