"""HTTP responders for the replay server: healthy pages and every kind of bad answer."""

from __future__ import annotations

import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

Responder = Callable[[BaseHTTPRequestHandler], None]


def page(body: bytes | str, status: int = 200, content_type: str = "text/html; charset=utf-8") -> Responder:
    data = body.encode() if isinstance(body, str) else body

    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return respond


def slow(seconds: float, body: str = "<main>late</main>") -> Responder:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        page(body)(handler)

    return respond


def reset_mid_body(body: str) -> Responder:
    """Announce the full length, send half, then close the connection."""
    data = body.encode()

    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data[: len(data) // 2])
        handler.wfile.flush()
        handler.close_connection = True
        handler.connection.shutdown(2)

    return respond


def redirect_to(location: str) -> Responder:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return respond


def terms_page(paragraphs: list[str], noise: str = "") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><title>Terms</title></head><body><nav>{noise}</nav>"
        f"<main><article class='terms'><h1>Terms of Service</h1>{body}</article></main>"
        f"<footer>{noise}</footer></body></html>"
    )


TERMS = [
    "These Terms of Service govern your use of the Example service and form a binding agreement.",
    "You retain ownership of the content you post. By posting you grant us a worldwide, non-exclusive, "
    "royalty-free licence to host, display and distribute that content.",
    "These terms are governed by the laws of Ireland and disputes go to the courts of Dublin.",
    "We may change these terms at any time by posting an updated version on this page.",
    "We may suspend or terminate your account if you break these terms.",
    "To the extent permitted by law we are not liable for indirect or consequential losses.",
]

CLOUDFLARE_WALL = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    "<div id='cf-wrapper'><h1>Checking your browser before accessing example.com</h1>"
    "<div class='cf-browser-verification cf-im-under-attack'>Please enable JavaScript and cookies to continue."
    "</div><div id='challenge-form'></div><span>Ray ID: 8a1b2c3d4e5f</span> "
    "Performance &amp; security by Cloudflare</div></body></html>"
)

CONSENT_WALL = (
    "<!DOCTYPE html><html><head><title>Before you continue to YouTube</title></head><body>"
    "<form action='https://consent.youtube.com/save' method='POST'>"
    "<h1>Before you continue to YouTube</h1><p>We use cookies and data to deliver and maintain Google "
    "services.</p><button>Reject all</button><button>Accept all</button></form></body></html>"
)


def self_signed_server(tmp_dir: str):  # type: ignore[no-untyped-def]
    """An HTTPS server on 127.0.0.1 with a freshly made self-signed certificate; returns (server, url)."""
    import datetime
    import ssl
    import threading
    from http.server import ThreadingHTTPServer

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = f"{tmp_dir}/cert.pem", f"{tmp_dir}/key.pem"
    with open(cert_file, "wb") as out:
        out.write(certificate.public_bytes(serialization.Encoding.PEM))
    with open(key_file, "wb") as out:
        out.write(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page(terms_page(TERMS))(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"https://localhost:{server.server_address[1]}/tos"


TERMS_FI = [
    "Nämä käyttöehdot koskevat Example-palvelun käyttöä ja muodostavat sitovan sopimuksen.",
    "Säilytät omistusoikeuden julkaisemaasi sisältöön. Julkaisemalla sisältöä myönnät meille maailmanlaajuisen, "
    "ei-yksinomaisen ja maksuttoman käyttöoikeuden sisällön tallentamiseen, näyttämiseen ja jakeluun.",
    "Näihin ehtoihin sovelletaan Irlannin lakia ja riidat ratkaistaan Dublinin tuomioistuimissa.",
    "Voimme muuttaa näitä ehtoja milloin tahansa julkaisemalla päivitetyn version tällä sivulla.",
    "Voimme keskeyttää tai lopettaa tilisi, jos rikot näitä ehtoja.",
    "Lain sallimissa rajoissa emme vastaa välillisistä vahingoista tai seurannaisvahingoista.",
]
