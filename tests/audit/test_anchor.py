"""The audit trail against an insider with the database credentials.

Each tampering case is done the way such an insider would hide it: change the rows, then recompute
every hash after them and fix the chain head, so the hash chain alone checks. Only the signed
checkpoints outside the database can tell. Run on SQLite and, with DATABASE_URL, on PostgreSQL.
"""

import json
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from openiom.accounts.roles import Role
from openiom.audit.models import AuditChainHead, AuditEvent
from openiom.audit.selectors import AuditVerification, audit_verify
from openiom.audit.services import GENESIS_HASH, audit_payload, audit_record, event_digest
from tests.conftest import cli_user, iom

pytestmark = pytest.mark.django_db(transaction=True)

CHAIN_KINDS = {"edited", "broken_link", "head"}


def _trail(n: int, **fields: Any) -> list[AuditEvent]:
    return [
        audit_record(user=None, action="person.view", object_type="person", object_id=i, **fields)
        for i in range(n)
    ]


def rechain() -> None:
    """What an insider does after tampering: recompute every hash in order and fix the chain head."""
    previous, last_id, length = GENESIS_HASH, None, 0
    for event in AuditEvent.objects.order_by("id"):
        digest = event_digest(previous, audit_payload(event))
        AuditEvent.objects.filter(pk=event.pk).update(previous_hash=previous, hash=digest)
        previous, last_id, length = digest, event.pk, length + 1
    AuditChainHead.objects.update_or_create(
        pk=1, defaults={"last_hash": previous, "last_event_id": last_id, "length": length}
    )


def kinds(result: AuditVerification) -> set[str]:
    return {p.kind for p in result.problems}


def assert_chain_alone_checks(result: AuditVerification) -> None:
    """The tampering is invisible to the hash chain: without checkpoints it would pass."""
    assert not kinds(result) & CHAIN_KINDS, result.problems


def test_an_intact_trail_matches_a_checkpoint_for_every_row(audit_store: Path) -> None:
    rows = _trail(5)
    result = audit_verify()
    assert result.intact, result.problems
    assert (result.rows, result.checkpoints, result.anchored_position, result.unanchored_rows) == (5, 5, 5, 0)
    lines = [json.loads(line) for f in audit_store.glob("*.jsonl") for line in f.read_text().splitlines()]
    assert [(c["position"], c["event_id"], c["head"]) for c in lines] == [
        (i + 1, row.pk, row.hash) for i, row in enumerate(rows)
    ]


# The ten tampering cases of issue 13.


def test_1_an_edited_row_is_found() -> None:
    rows = _trail(5)
    AuditEvent.objects.filter(pk=rows[2].pk).update(purpose="changed afterwards")
    rechain()
    result = audit_verify()
    assert_chain_alone_checks(result)
    assert kinds(result) == {"rewritten"}
    assert str(result.problems[0]).startswith(f"row {rows[2].pk}: differs from its signed checkpoint")
    assert f"rows {rows[2].pk}, {rows[3].pk}, {rows[4].pk})" in str(result.problems[0])


def test_2_an_inserted_row_is_found() -> None:
    rows = _trail(5)
    # Make room in the middle: move the later rows one id up, newest first, then forge a row there.
    for row in reversed(rows[2:]):
        AuditEvent.objects.filter(pk=row.pk).update(id=row.pk + 1)
    forged = AuditEvent(
        id=rows[2].pk, occurred_at=rows[1].occurred_at, action="person.view", object_id="99", hash="x" * 64
    )
    forged.save(force_insert=True)
    rechain()
    result = audit_verify()
    assert_chain_alone_checks(result)
    assert "rewritten" in kinds(result)
    assert result.problems[0].event_id == rows[2].pk


def test_3_a_row_deleted_in_the_middle_is_found() -> None:
    rows = _trail(5)
    AuditEvent.objects.filter(pk=rows[2].pk).delete()
    rechain()
    result = audit_verify()
    assert_chain_alone_checks(result)
    assert kinds(result) == {"missing", "moved"}
    messages = [str(p) for p in result.problems]
    assert f"rows {rows[2].pk} were signed but are no longer in the trail: deleted" in messages
    assert any(
        m.startswith(f"row {rows[3].pk}: is at position 3 but was signed at position 4") for m in messages
    )


def test_4_rows_deleted_from_the_end_are_found() -> None:
    rows = _trail(5)
    AuditEvent.objects.filter(pk__in=[rows[3].pk, rows[4].pk]).delete()
    rechain()  # the chain head now agrees with the shortened trail
    result = audit_verify()
    assert_chain_alone_checks(result)
    assert kinds(result) == {"truncated"}
    assert f"the trail ends at row {rows[2].pk} (3 rows), but a checkpoint signed at" in str(
        result.problems[0]
    )
    assert f"records 5 rows ending at row {rows[4].pk}" in str(result.problems[0])


def test_5_deleting_every_row_is_found() -> None:
    rows = _trail(4)
    AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()
    result = audit_verify()
    assert result.rows == 0
    assert kinds(result) == {"truncated"}
    assert str(result.problems[0]).startswith("the trail is empty, but a checkpoint signed at")
    assert f"ending at row {rows[3].pk}" in str(result.problems[0])


def test_6_a_trail_rewritten_from_a_point_is_found() -> None:
    rows = _trail(6)
    AuditEvent.objects.filter(pk__gte=rows[3].pk).update(action="person.search", object_id="")
    rechain()
    result = audit_verify()
    assert_chain_alone_checks(result)
    assert kinds(result) == {"rewritten"}
    assert f"(rows {rows[3].pk}, {rows[4].pk}, {rows[5].pk})" in str(result.problems[0])


def test_7_reordered_rows_are_found() -> None:
    rows = _trail(4)
    first, second = (AuditEvent.objects.get(pk=r.pk) for r in rows[1:3])
    swapped = ("occurred_at", "action", "object_type", "object_id", "fields", "purpose", "detail")
    for target, source in ((first, second), (second, first)):
        AuditEvent.objects.filter(pk=target.pk).update(**{f: getattr(source, f) for f in swapped})
    rechain()
    result = audit_verify()
    assert_chain_alone_checks(result)
    assert kinds(result) == {"rewritten"}
    assert result.problems[0].event_id == rows[1].pk


def _with_restricted_openings() -> tuple[Any, list[AuditEvent]]:
    user = cli_user(Role.POLICE_OFFICER)
    rows = _trail(2)
    opened = [
        audit_record(
            user=user,
            action="restricted.victim",
            object_type="person",
            object_id=7,
            fields=["victim"],
            purpose="Safeguarding visit tomorrow",
        ),
        audit_record(user=user, action="restricted.emergency", object_type="person", object_id=8),
    ]
    return user, [*rows, *opened, *_trail(2)]


def test_8_an_altered_restricted_access_row_is_found() -> None:
    _, rows = _with_restricted_openings()
    AuditEvent.objects.filter(pk=rows[2].pk).update(purpose="Routine check", username="someone.else")
    rechain()
    result = audit_verify()
    assert_chain_alone_checks(result)
    assert kinds(result) == {"rewritten"}
    assert result.problems[0].event_id == rows[2].pk


def test_8b_deleted_restricted_access_rows_are_found() -> None:
    _, rows = _with_restricted_openings()
    AuditEvent.objects.filter(action__startswith="restricted.").delete()
    rechain()
    result = audit_verify()
    assert_chain_alone_checks(result)
    assert f"rows {rows[2].pk}, {rows[3].pk} were signed but are no longer in the trail" in str(
        next(p for p in result.problems if p.kind == "missing")
    )


def test_9_an_altered_timestamp_is_found() -> None:
    rows = _trail(4)
    AuditEvent.objects.filter(pk=rows[1].pk).update(occurred_at=rows[1].occurred_at - timedelta(days=3))
    rechain()
    result = audit_verify()
    assert_chain_alone_checks(result)
    assert kinds(result) == {"rewritten"}
    assert result.problems[0].event_id == rows[1].pk


def _restore(snapshot: list[AuditEvent], head: AuditChainHead) -> None:
    """Put an older copy of the trail back, as restoring a backup would."""
    AuditEvent.objects.all().delete()
    AuditEvent.objects.bulk_create(snapshot)
    head.save()


def test_10_a_replayed_old_copy_is_found() -> None:
    _trail(3)
    snapshot, head = list(AuditEvent.objects.order_by("id")), AuditChainHead.objects.get()
    later = _trail(2)
    _restore(snapshot, head)
    result = audit_verify()
    assert_chain_alone_checks(result)
    assert kinds(result) == {"truncated"}
    assert f"records 5 rows ending at row {later[1].pk}" in str(result.problems[0])
    assert "or an older copy of the database was restored" in str(result.problems[0])


def test_10b_an_old_copy_restored_and_written_to_is_found() -> None:
    _trail(3)
    snapshot, head = list(AuditEvent.objects.order_by("id")), AuditChainHead.objects.get()
    _trail(2)
    _restore(snapshot, head)
    _trail(3)  # the restored copy is in use again: five rows, the last two not the ones signed
    result = audit_verify()
    assert_chain_alone_checks(result)
    assert "fork" in kinds(result)
    assert "signed checkpoints disagree about the trail at 2 position(s), from position 4" in str(
        next(p for p in result.problems if p.kind == "fork")
    )


# The checkpoint store itself.


def test_an_altered_or_forged_checkpoint_is_found(audit_store: Path, tmp_path: Path, settings: Any) -> None:
    _trail(3)
    store = next(audit_store.glob("*.jsonl"))
    lines = store.read_text().splitlines()
    altered = json.loads(lines[1]) | {"head": "0" * 64}
    store.write_text("\n".join([lines[0], json.dumps(altered), lines[2], "not json"]) + "\n")
    result = audit_verify()
    messages = [str(p) for p in result.problems]
    assert kinds(result) == {"checkpoint_tampered"}
    assert (
        f"checkpoint store {audit_store}: {store.name} line 2 has a bad signature: it was altered or forged"
        in (messages)
    )
    assert any("line 4 is not a checkpoint" in m for m in messages)

    # A checkpoint signed with another key (say, to cover a rewritten trail) is not accepted either.
    settings.OPENIOM_AUDIT_SIGNING_KEY_FILE = str(tmp_path / "another-key.pem")
    _trail(1)
    settings.OPENIOM_AUDIT_SIGNING_KEY_FILE = str(tmp_path / "signing-key.pem")
    assert any("line 5 is signed by an unknown key" in str(p) for p in audit_verify().problems)


def test_the_verifier_needs_only_the_public_key(tmp_path: Path, settings: Any) -> None:
    _trail(3)
    settings.OPENIOM_AUDIT_VERIFY_KEY_FILE = str(tmp_path / "signing-key.pem.pub")
    settings.OPENIOM_AUDIT_SIGNING_KEY_FILE = None
    result = audit_verify()
    assert result.intact and result.anchored_position == 3, result.problems


def test_a_missing_store_or_key_is_a_clear_error(tmp_path: Path, settings: Any) -> None:
    admin = cli_user(Role.ADMINISTRATOR)
    _trail(2)
    settings.OPENIOM_AUDIT_CHECKPOINT_DIR = tmp_path / "nowhere"
    missing: Any = iom(["audit", "verify"], user=admin)
    assert missing.exit_code == 1 and isinstance(missing.exception, SystemExit)
    assert f"the checkpoint store {tmp_path / 'nowhere'} (OPENIOM_AUDIT_CHECKPOINT_DIR) does not exist" in (
        missing.output
    )
    assert "Traceback" not in missing.output
    assert not (tmp_path / "nowhere").exists()  # the command's own audit row did not recreate it

    settings.OPENIOM_AUDIT_VERIFY_KEY_FILE = str(tmp_path / "no-such-key.pub")
    no_key: Any = iom(["audit", "verify"], user=admin)
    assert no_key.exit_code == 1 and isinstance(no_key.exception, SystemExit)
    assert f"OPENIOM_AUDIT_VERIFY_KEY_FILE {tmp_path / 'no-such-key.pub'} cannot be read" in no_key.output


def test_rows_added_at_the_end_behind_the_applications_back_are_found() -> None:
    rows = _trail(3)
    forged = AuditEvent(occurred_at=rows[2].occurred_at, action="person.view", object_id="99")
    forged.previous_hash = rows[2].hash
    forged.hash = event_digest(forged.previous_hash, audit_payload(forged))
    forged.save()
    rechain()
    result = audit_verify()
    assert_chain_alone_checks(result)
    assert kinds(result) == {"unanchored"}
    assert "the newest 1 row(s) (from position 4) are not covered by any signed checkpoint" in str(
        result.problems[0]
    )


# Writing checkpoints.


def test_a_rolled_back_row_leaves_no_checkpoint(audit_store: Path) -> None:
    _trail(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(user=None, action="person.view", object_id=5)
        raise RuntimeError("the caller's transaction fails after auditing")
    _trail(1)
    result = audit_verify()
    assert result.intact and result.checkpoints == 3, result.problems


def test_every_nth_row_is_signed_and_iom_audit_checkpoint_signs_the_rest(settings: Any) -> None:
    settings.OPENIOM_AUDIT_CHECKPOINT_EVERY = 3
    _trail(5)
    result = audit_verify()
    assert result.intact, result.problems
    assert (result.checkpoints, result.anchored_position, result.unanchored_rows) == (1, 3, 2)
    AuditEvent.objects.filter(pk=AuditEvent.objects.order_by("-id")[0].pk).delete()
    rechain()
    assert audit_verify().intact  # the window OPENIOM_AUDIT_CHECKPOINT_EVERY leaves, documented

    signed: Any = iom(["audit", "checkpoint"])
    assert signed.exit_code == 0 and "Signed checkpoint: 4 rows" in signed.output, signed.output
    assert audit_verify().anchored_position == 4


def test_a_trail_older_than_its_checkpoints_is_unanchored_until_signed(tmp_path: Path, settings: Any) -> None:
    _trail(3)
    settings.OPENIOM_AUDIT_CHECKPOINT_DIR = tmp_path / "new-store"
    (tmp_path / "new-store").mkdir()
    assert kinds(audit_verify()) == {"unanchored"}
    assert iom(["audit", "checkpoint"]).exit_code == 0  # type: ignore[attr-defined]
    assert audit_verify().intact


def test_production_without_a_signing_key_writes_nothing(settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from openiom.audit.apps import signing_key_configured

    settings.PRODUCTION = True
    settings.OPENIOM_AUDIT_SIGNING_KEY_FILE = None
    with pytest.raises(ImproperlyConfigured, match="OPENIOM_AUDIT_SIGNING_KEY_FILE must name"):
        audit_record(user=None, action="person.view")
    assert not AuditEvent.objects.exists()
    assert [e.id for e in signing_key_configured()] == ["openiom.audit.E001"]


def test_iom_audit_keygen(tmp_path: Path) -> None:
    made: Any = iom(["audit", "keygen", str(tmp_path / "k.pem")])
    assert made.exit_code == 0 and "OPENIOM_AUDIT_VERIFY_KEY_FILE" in made.output, made.output
    assert (tmp_path / "k.pem").stat().st_mode & 0o077 == 0
    assert (tmp_path / "k.pem.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    again: Any = iom(["audit", "keygen", str(tmp_path / "k.pem")])
    assert again.exit_code == 1 and "already exists: a key is never overwritten" in again.output


def test_concurrent_writers_keep_one_chain_and_a_checkpoint_per_row() -> None:
    errors: list[BaseException] = []

    def write() -> None:
        try:
            _trail(8)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = audit_verify()
    assert result.intact, result.problems
    assert (result.rows, result.checkpoints, result.anchored_position) == (32, 32, 32)


@pytest.mark.parametrize("attempt", range(3))
def test_workers_starting_together_all_read_the_whole_new_key(tmp_path: Path, attempt: int) -> None:
    """The first workers of a new installation race to create the key: none may read it half-written."""
    from openiom.audit.anchor import signing_key_at

    barrier = threading.Barrier(8)
    problems: list[BaseException] = []
    paths = [str(tmp_path / f"key-{n}.pem") for n in range(10)]

    def start() -> None:
        for path in paths:
            barrier.wait()
            try:
                signing_key_at(path)
            except BaseException as exc:  # reported below, in the test's thread
                problems.append(exc)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
    assert len({signing_key_at(p).public_key().public_bytes_raw() for p in paths}) == len(paths)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
