"""The template environment: what a template may write and what it gets."""

from __future__ import annotations


def test_templates_read_row_keys_and_still_call_methods_and_attributes() -> None:
    from types import SimpleNamespace

    from portal.templating import build_environment

    page = build_environment().from_string(
        "{{ row.name }}|{{ row.missing is undefined }}|"
        "{% for k, v in row.items() %}{{ k }}{% endfor %}|{{ row.get('name') }}|{{ obj.name }}"
    )
    row = {"name": "<Sok>"}
    assert page.render(row=row, obj=SimpleNamespace(name="Dara")) == (
        "&lt;Sok&gt;|True|name|&lt;Sok&gt;|Dara"
    )
