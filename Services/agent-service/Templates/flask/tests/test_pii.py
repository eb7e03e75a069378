"""PII: encrypted at rest (bytea holding a Fernet token, never the clear value) and redacted in logs."""

import io
import logging

import pytest

from app.logging import app_handler
from app.validation import to_text
from support import SCHEMA, roles_allowed, sample_value

PII_FIELDS = [
    pytest.param(entity, field, id=f"{entity.plural}-{field.column}")
    for entity in SCHEMA.entities
    for field in entity.pii_fields
    if roles_allowed(entity, "create")
]


@pytest.mark.parametrize("entity", SCHEMA.entities, ids=lambda e: e.table)
def test_only_pii_columns_are_bytea(entity, raw_db):
    with raw_db() as conn:
        types = {
            row["column_name"]: row["data_type"]
            for row in conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = %s",
                (entity.table,),
            )
        }
    assert types, f"table {entity.table} not found: run python -m app.migrate up"
    for field in entity.fields:
        assert (types[field.column] == "bytea") == field.pii, (field.column, types[field.column])


if PII_FIELDS:

    @pytest.mark.parametrize("entity,field", PII_FIELDS)
    def test_pii_is_encrypted_at_rest(entity, field, caller, rows, raw_db, app):
        creator = caller(roles_allowed(entity, "create")[0])
        clear = sample_value(field)
        created = creator.post(f"/api/{entity.plural}", json={**rows.payload(entity, tenant=creator.tenant, owner=creator), field.column: clear})
        assert created.status_code == 201, created.get_json()
        item = created.get_json()
        assert item[field.column] == clear  # the API returns the clear value

        with raw_db(tenant=creator.tenant) as conn:
            stored = conn.execute(
                f'SELECT "{field.column}" AS value FROM "{entity.table}" WHERE id = %s', (item["id"],)
            ).fetchone()["value"]
        assert isinstance(stored, bytes)
        assert to_text(field, clear).encode() not in stored
        assert app.extensions["pii_cipher"].decrypt(stored) == to_text(field, clear)


def test_logs_redact_emails_phones_and_tokens(caller, app):
    email, phone = "jane.doe@example.com", "+1 555 010 9999"
    me = caller(next(iter(SCHEMA.roles), "nobody"))
    handler = app_handler()
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        # the access log line carries the query string (bad page token: 400, value not echoed)
        response = me.get(f"/api/{SCHEMA.entities[0].plural}", query_string={"page_token": email, "phone": phone})
        assert email not in response.get_data(as_text=True)
        logging.getLogger("app.example").warning(
            "contact %s at %s sent Authorization: Bearer %s", email, phone, me.token,
            extra={"note": f"call {phone} or write {email}"},
        )
        logging.getLogger("app.example").info("US number (555) 010-1234, e-mail a.b+c@example.org")
    finally:
        handler.setStream(previous)
    output = buffer.getvalue()
    for secret in (email, phone, me.token, "jane.doe%40example.com", "(555) 010-1234", "a.b+c@example.org"):
        assert secret not in output, secret
    assert "[redacted-email]" in output and "[redacted-phone]" in output and "[redacted-token]" in output
