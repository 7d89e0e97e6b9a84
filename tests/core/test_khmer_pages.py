"""Khmer pages show no English left over: the outbox filter and badges, the audit log's
status changes."""

from __future__ import annotations


async def test_the_outbox_filter_speaks_khmer(client, as_role):
    await as_role("admin")
    page = (await client.get("/admin/outbox?lang=km")).text
    main = page.split("<main", 1)[1]
    for english in (">Waiting<", ">Sent<", ">Failed<", ">Everything<"):
        assert english not in main
    assert "កំពុងរង់ចាំ" in main and "បានផ្ញើ" in main and "បរាជ័យ" in main


async def test_the_audit_log_names_statuses_in_the_readers_language(client, as_role):
    from portal.audit import services as audit

    admin = await as_role("admin")
    # As portal.complaints.services.move() writes it: the statuses' codes.
    await audit.record(
        admin, "complaint.status_changed", "complaint", "C26-X", "received → acknowledged"
    )
    assert "Received → Acknowledged" in (await client.get("/admin/audit?lang=en")).text
    page = (await client.get("/admin/audit?lang=km")).text
    assert "received → acknowledged" not in page
    assert "បានទទួល → បានបញ្ជាក់ការទទួល" in page
