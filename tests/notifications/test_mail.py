"""The outbox sender against a real SMTP server on 127.0.0.1 (aiosmtpd): retries, one
connection per batch, and TLS (SMTPS or STARTTLS) as PORTAL_SMTP_URL says."""

from __future__ import annotations

import ipaddress
import random
import socket
import ssl
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from portal import i18n
from portal.notifications import mail
from portal.notifications.tables import OutboxMessage

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


class FlakyServer:
    """Accepts mail, but refuses a share of the messages with a temporary error."""

    def __init__(self, refuse_share: float) -> None:
        self.refuse_share = refuse_share
        self.random = random.Random(6)
        self.received: list = []
        self.sessions: list = []  # of each message received: (over TLS, logged in)
        self.connections: set = set()  # the client's (address, port) of each
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook
        self.connections.add(session.peer)
        if self.random.random() < self.refuse_share:
            self.refused += 1
            return "451 4.3.0 Try again later"
        self.received.append(message_from_bytes(envelope.content))
        # After STARTTLS aiosmtpd fills session.ssl; on an SMTPS port the socket is TLS.
        encrypted = session.ssl is not None or server.transport.get_extra_info("ssl_object")
        self.sessions.append((bool(encrypted), session.authenticated))
        return "250 OK"


def _login(server, session, envelope, mechanism, auth_data):  # aiosmtpd's authenticator
    return AuthResult(success=auth_data == LoginPassword(b"portal", b"s3cret pass"))


@pytest.fixture
def smtp_server():
    """`handler, url = smtp_server(refuse_share, **controller_options)`: an SMTP server on
    127.0.0.1 that refuses that share of the messages."""
    servers = []

    def start(refuse_share: float, **options) -> tuple[FlakyServer, str]:
        handler = FlakyServer(refuse_share)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
        controller.start()
        servers.append(controller)
        return handler, f"smtp://127.0.0.1:{port}"

    yield start
    for controller in servers:
        controller.stop()


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A certificate for 127.0.0.1 from a made-up authority that the sender trusts (and
    whose context a server can use); returns that server-side SSL context."""
    authority_key = ec.generate_private_key(ec.SECP256R1())
    key = ec.generate_private_key(ec.SECP256R1())

    def certify(subject, public_key, ca):
        now = datetime.now(UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")]))
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(authority_key.public_key()),
                critical=False,
            )
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            ).add_extension(
                x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
        else:
            builder = builder.add_extension(
                x509.KeyUsage(True, False, False, False, False, True, True, False, False),
                critical=True,
            )
        return builder.sign(authority_key, hashes.SHA256())

    authority = certify("Test CA", authority_key.public_key(), ca=True)
    leaf = certify("127.0.0.1", key.public_key(), ca=False)
    pem = serialization.Encoding.PEM
    (tmp_path / "ca.pem").write_bytes(authority.public_bytes(pem))
    (tmp_path / "server.pem").write_bytes(leaf.public_bytes(pem))
    (tmp_path / "server.key").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "server.pem", tmp_path / "server.key")
    # OpenSSL reads this when the sender makes its default context: the test's authority.
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    return context


async def _queue(n: int) -> None:
    await OutboxMessage.insert(
        *[
            OutboxMessage(
                to_address=f"person{i}@test.example",
                subject=f"Message {i}",
                body=f"Body {i}",
                language="en",
                next_attempt_at=START,
                created_at=START,
            )
            for i in range(n)
        ]
    )


async def test_every_message_arrives_once_though_the_server_refuses_30_percent(
    settings, smtp_server
):
    handler, url = smtp_server(0.3)
    configured = replace(settings, smtp_url=url)
    await _queue(40)
    now = START
    for _ in range(200):
        await mail.send_due_mail(configured, now)
        if not await OutboxMessage.exists().where(OutboxMessage.sent_at.is_null()):
            break
        now += timedelta(minutes=1)
    subjects = [m["Subject"] for m in handler.received]
    assert sorted(subjects) == sorted(f"Message {i}" for i in range(40))  # all, none twice
    assert handler.refused >= 5  # the server really did refuse some
    retried = await OutboxMessage.select().where(OutboxMessage.attempts > 1)
    assert len(retried) >= 5
    assert all(row["sent_at"] is not None and row["last_error"] == "" for row in retried)


async def test_a_refused_message_waits_longer_each_time(settings, smtp_server):
    _, url = smtp_server(1.0)
    configured = replace(settings, smtp_url=url)
    await _queue(1)
    assert await mail.send_due_mail(configured, START) == (0, 1)
    row = await OutboxMessage.select().first()
    assert row["attempts"] == 1 and "451" in row["last_error"]
    assert row["next_attempt_at"] == START + timedelta(minutes=1)
    assert await mail.send_due_mail(configured, START + timedelta(seconds=30)) == (0, 0)
    await mail.send_due_mail(configured, START + timedelta(minutes=1))
    row = await OutboxMessage.select().first()
    assert row["next_attempt_at"] == START + timedelta(minutes=3)  # 1 + 2 minutes
    assert mail.retry_delay(20) == mail.LONGEST_RETRY


async def test_after_the_last_try_the_message_is_marked_failed(settings, smtp_server):
    _, url = smtp_server(1.0)
    configured = replace(settings, smtp_url=url)
    await _queue(1)
    now = START
    for _ in range(mail.MAX_ATTEMPTS + 3):
        await mail.send_due_mail(configured, now)
        now += mail.LONGEST_RETRY
    row = await OutboxMessage.select().first()
    assert row["attempts"] == mail.MAX_ATTEMPTS
    assert row["sent_at"] is None and row["next_attempt_at"] is None
    assert (await mail.outbox_page("failed")).rows[0]["id"] == row["id"]


async def test_without_a_mail_server_messages_stay_in_the_outbox(settings, client, as_role):
    await _queue(2)
    assert await mail.send_due_mail(replace(settings, smtp_url=""), START) == (0, 0)
    assert await OutboxMessage.count().where(OutboxMessage.attempts == 0) == 2
    await as_role("admin")
    page = await client.get("/admin/outbox")
    assert page.status_code == 200
    assert "Message 0" in page.text and "person1@test.example" in page.text
    assert "No mail server is set" in page.text
    row = await OutboxMessage.select().first()
    detail = await client.get(f"/admin/outbox/{row['id']}")
    assert "Body 0" in detail.text


async def test_the_outbox_is_for_admins_only(client, as_role):
    await _queue(1)
    await as_role("officer")
    assert (await client.get("/admin/outbox")).status_code == 404
    assert (await client.get("/admin/outbox/1")).status_code == 404


async def test_the_outbox_filter_is_in_the_readers_language(client, as_role):
    await as_role("admin")
    page = await client.get("/admin/outbox?lang=km")
    for status in ("Waiting", "Sent", "Failed"):
        assert f">{i18n.catalog('km').gettext(status)}</option>" in page.text


async def test_a_batch_goes_out_over_one_connection(settings, smtp_server):
    handler, url = smtp_server(0.3)
    await _queue(20)
    sent, failed = await mail.send_due_mail(replace(settings, smtp_url=url), START)
    assert sent == len(handler.received) and failed == handler.refused >= 3
    assert sent + failed == 20
    assert len(handler.connections) == 1  # refusals did not cost a new connection


async def test_starttls_comes_before_the_password(settings, smtp_server, certificate):
    options = {
        "tls_context": certificate,
        "require_starttls": True,
        "authenticator": _login,
        "auth_require_tls": True,
    }
    handler, url = smtp_server(0.0, **options)
    secured = url.replace("smtp://", "smtp://portal:s3cret%20pass@") + "?starttls=1"
    await _queue(3)
    assert await mail.send_due_mail(replace(settings, smtp_url=secured), START) == (3, 0)
    assert handler.sessions == [(True, True)] * len(handler.received)
    assert len(handler.connections) == 1


async def test_smtps_is_tls_from_the_first_byte(settings, smtp_server, certificate):
    # aiosmtpd counts only STARTTLS as TLS for AUTH: its own check is off here.
    options = {"ssl_context": certificate, "authenticator": _login, "auth_require_tls": False}
    handler, url = smtp_server(0.0, **options)
    await _queue(2)
    secured = url.replace("smtp://", "smtps://portal:s3cret%20pass@")
    assert await mail.send_due_mail(replace(settings, smtp_url=secured), START) == (2, 0)
    assert handler.sessions == [(True, True)] * len(handler.received)


async def test_without_starttls_in_the_url_a_server_that_requires_it_gets_nothing(
    settings, smtp_server, certificate
):
    handler, url = smtp_server(0.0, tls_context=certificate, require_starttls=True)
    await _queue(3)
    assert await mail.send_due_mail(replace(settings, smtp_url=url), START) == (0, 3)
    assert handler.received == []
    assert "STARTTLS" in (await OutboxMessage.select().first())["last_error"]


async def test_an_unreachable_server_costs_one_try_and_the_rest_wait(settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        url = f"smtp://127.0.0.1:{probe.getsockname()[1]}"
    await _queue(3)
    assert await mail.send_due_mail(replace(settings, smtp_url=url), START) == (0, 1)
    # Without a connection, the other two were not even tried: they wait for the next run.
    assert await OutboxMessage.count().where(OutboxMessage.attempts == 0) == 2


async def test_a_server_certificate_nobody_vouches_for_is_refused(
    settings, smtp_server, certificate, monkeypatch
):
    handler, url = smtp_server(0.0, tls_context=certificate)
    monkeypatch.delenv("SSL_CERT_FILE")
    await _queue(1)
    assert await mail.send_due_mail(replace(settings, smtp_url=url + "?starttls=1"), START) == (
        0,
        1,
    )
    row = await OutboxMessage.select().first()
    assert "CERTIFICATE_VERIFY_FAILED" in row["last_error"] and handler.received == []


def test_a_password_over_a_plain_connection_stops_the_portal(monkeypatch):
    from portal.settings import SettingsError, load_settings

    monkeypatch.setenv("PORTAL_SMTP_URL", "smtp://portal:secret@mail.example:25")
    with pytest.raises(SettingsError, match="in clear"):
        load_settings()
    for url in (
        "smtps://portal:secret@mail.example",
        "smtp://portal:secret@mail.example?starttls=1",
    ):
        monkeypatch.setenv("PORTAL_SMTP_URL", url)
        assert load_settings().smtp_url == url
