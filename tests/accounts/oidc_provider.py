"""A small OpenID Connect provider for the tests: a real HTTP server on loopback that signs RS256 ID
tokens, so the single sign-on path is exercised over real requests, token checks included."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "openiom-test"
CLIENT_SECRET = "test-client-secret"


@dataclass
class Provider:
    base: str
    key: Any
    # What the next sign-in asserts: the claims, and how the person authenticated (RFC 8176 amr).
    claims: dict[str, Any] = field(default_factory=dict)
    amr: list[str] = field(default_factory=lambda: ["pwd"])
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)

    def configure(self, settings: Any) -> None:
        """Point OpenIOM (pytest-django's `settings` fixture) at this provider, as the
        OPENIOM_OIDC_* environment variables would."""
        settings.OPENIOM_OIDC_ENABLED = True
        settings.OPENIOM_OIDC_PROVIDER_NAME = "Example Police account"
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{self.base}/authorize"
        settings.OIDC_OP_TOKEN_ENDPOINT = f"{self.base}/token"
        settings.OIDC_OP_USER_ENDPOINT = f"{self.base}/userinfo"
        settings.OIDC_OP_JWKS_ENDPOINT = f"{self.base}/jwks"
        settings.AUTHENTICATION_BACKENDS = [
            *settings.AUTHENTICATION_BACKENDS,
            "openiom.accounts.oidc.OIDCBackend",
        ]

    def id_token(self, nonce: str, claims: dict[str, Any]) -> str:
        now = int(time.time())
        payload = {
            "iss": self.base,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "amr": self.amr,
            **claims,
        }
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": "test-key"})


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            """Quiet."""

        def _json(self, body: Any, status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/authorize":
                # The person has signed in at their organisation: back to OpenIOM with a code.
                code = secrets.token_urlsafe(12)
                provider.codes[code] = {"nonce": query["nonce"], "claims": dict(provider.claims)}
                self.send_response(302)
                target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
                self.send_header("Location", target)
                self.end_headers()
            elif url.path == "/jwks":
                public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                self._json({"keys": [public | {"kid": "test-key", "alg": "RS256", "use": "sig"}]})
            elif url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if token not in provider.tokens:
                    self._json({"error": "invalid_token"}, 401)
                else:
                    self._json(provider.tokens[token])
            else:
                self._json({"error": "not_found"}, 404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            issued = provider.codes.pop(form.get("code", ""), None)
            if (
                urlparse(self.path).path != "/token"
                or issued is None
                or form.get("client_secret") != CLIENT_SECRET
            ):
                self._json({"error": "invalid_grant"}, 400)
                return
            access = secrets.token_urlsafe(16)
            provider.tokens[access] = issued["claims"]
            self._json(
                {
                    "access_token": access,
                    "token_type": "Bearer",
                    "id_token": provider.id_token(issued["nonce"], issued["claims"]),
                }
            )

    return Handler


@contextmanager
def running_provider() -> Iterator[Provider]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    provider = Provider(base=f"http://127.0.0.1:{server.server_address[1]}", key=key)
    server.RequestHandlerClass = _handler(provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
