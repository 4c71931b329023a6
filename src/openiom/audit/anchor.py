"""Signed checkpoints of the audit chain, kept outside the database.

The hash chain shows a row was edited, but someone who can write to the database can also recompute
every hash after the rows they changed, delete the newest rows and fix the chain head, or restore an
older copy. A checkpoint pins the chain at one position: "row N is event E and the chain's hash there
is H", signed with an Ed25519 key the database does not hold and appended to a JSON-lines file in
another store. Any later change to rows 1..N no longer matches the checkpoint, and a trail shorter
than N was cut.

The application signs; the verifier needs only the public key. See docs/security.md, "Threat model".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import re
import socket
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

logger = logging.getLogger(__name__)

# Signed bytes start with this, so a checkpoint signature can never be replayed as another message.
SIGNING_CONTEXT = b"openiom audit checkpoint v1\n"
VERSION = 1
_PEM_PUBLIC = re.compile(rb"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.DOTALL)
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Checkpoint:
    position: int  # rows in the chain, counted from 1, up to and including event_id
    event_id: int
    head: str  # the hash of that row: it covers every row before it
    at: str
    key: str  # fingerprint of the signing key

    def signed_bytes(self) -> bytes:
        return signed_bytes(self.fields())

    def fields(self) -> dict[str, object]:
        return {
            "v": VERSION,
            "position": self.position,
            "event_id": self.event_id,
            "head": self.head,
            "at": self.at,
            "key": self.key,
        }


def signed_bytes(fields: dict[str, object]) -> bytes:
    return SIGNING_CONTEXT + json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class StoreReading:
    checkpoints: list[Checkpoint]
    problems: list[str]  # lines that are not checkpoints we signed: the store was tampered with
    files: int


def key_fingerprint(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_key_pem(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def generate_key_files(path: Path) -> Path:
    """Write a new private key (owner-only) at `path` and its public key at `path`.pub; refuse to
    overwrite a key, whose checkpoints would otherwise no longer verify."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole under a temporary name, then linked into place: a link is atomic and refuses an
    # existing key, so a worker starting at the same moment never reads a half-written file.
    draft = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        os.link(draft, path)
    finally:
        draft.unlink()
    public = path.with_name(path.name + ".pub")
    public_draft = public.with_name(f".{public.name}.{uuid.uuid4().hex}.tmp")
    public_draft.write_bytes(public_key_pem(key))
    os.replace(public_draft, public)
    return public


# Each audit row asks for the key: after the first, no file system call.
_loaded: dict[str, Ed25519PrivateKey] = {}


@lru_cache(maxsize=8)
def _load_private_key(path: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"OPENIOM_AUDIT_SIGNING_KEY_FILE {path} cannot be read as a private key: {exc}"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"OPENIOM_AUDIT_SIGNING_KEY_FILE {path} is not an Ed25519 key")
    return key


def signing_key() -> Ed25519PrivateKey:
    """The key that signs checkpoints; generated on first use outside production only."""
    return signing_key_at(settings.OPENIOM_AUDIT_SIGNING_KEY_FILE)


def signing_key_at(path: str | None) -> Ed25519PrivateKey:
    if path in _loaded:
        return _loaded[path]
    if not path:
        raise ImproperlyConfigured(
            "OPENIOM_AUDIT_SIGNING_KEY_FILE must name the audit signing key in production "
            "(create one with `iom audit keygen PATH`)"
        )
    if not Path(path).exists():
        if settings.PRODUCTION:
            raise ImproperlyConfigured(
                f"OPENIOM_AUDIT_SIGNING_KEY_FILE {path} does not exist (create it with `iom audit keygen`)"
            )
        try:
            generate_key_files(Path(path))
            # Only with a new key: a store that vanished later must stay missing, and be reported, not
            # be recreated empty under the newest rows.
            store_dir().mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            pass  # another worker generated it first
        except OSError as exc:
            raise ImproperlyConfigured(
                f"OPENIOM_AUDIT_SIGNING_KEY_FILE {path} cannot be created: {exc}"
            ) from exc
    _loaded[path] = _load_private_key(str(path))
    return _loaded[path]


def verify_keys() -> dict[str, Ed25519PublicKey]:
    """Public keys by fingerprint: OPENIOM_AUDIT_VERIFY_KEY_FILE (several PEM blocks for rotated keys),
    or else the signing key's own. Raises ImproperlyConfigured, naming the setting, if there is none."""
    path = settings.OPENIOM_AUDIT_VERIFY_KEY_FILE
    if not path:
        signing = settings.OPENIOM_AUDIT_SIGNING_KEY_FILE
        if not signing or not Path(signing).exists():
            raise ImproperlyConfigured(
                "no public key to check the audit checkpoints: set OPENIOM_AUDIT_VERIFY_KEY_FILE"
            )
        key = _load_private_key(str(signing)).public_key()
        return {key_fingerprint(key): key}
    try:
        blocks = _PEM_PUBLIC.findall(Path(path).read_bytes())
    except OSError as exc:
        raise ImproperlyConfigured(f"OPENIOM_AUDIT_VERIFY_KEY_FILE {path} cannot be read: {exc}") from exc
    keys: dict[str, Ed25519PublicKey] = {}
    for block in blocks:
        try:
            public = serialization.load_pem_public_key(block)
        except ValueError as exc:
            raise ImproperlyConfigured(f"OPENIOM_AUDIT_VERIFY_KEY_FILE {path}: {exc}") from exc
        if isinstance(public, Ed25519PublicKey):
            keys[key_fingerprint(public)] = public
    if not keys:
        raise ImproperlyConfigured(f"OPENIOM_AUDIT_VERIFY_KEY_FILE {path} holds no Ed25519 public key")
    return keys


def store_dir() -> Path:
    return Path(settings.OPENIOM_AUDIT_CHECKPOINT_DIR)


def store_file() -> Path:
    # One file per host: appends to one file are atomic on a local filesystem, not across NFS clients.
    return store_dir() / f"{socket.gethostname()}.jsonl"


def checkpoint_line(key: Ed25519PrivateKey, *, position: int, event_id: int, head: str) -> bytes:
    fields = Checkpoint(
        position=position, event_id=event_id, head=head, at=timezone.now().isoformat(), key=_fingerprint(key)
    ).fields()
    fields["sig"] = base64.b64encode(key.sign(signed_bytes(fields))).decode()
    return (json.dumps(fields, sort_keys=True, separators=(",", ":")) + "\n").encode()


@lru_cache(maxsize=8)
def _fingerprint(key: Ed25519PrivateKey) -> str:
    return key_fingerprint(key.public_key())


def append_checkpoint(key: Ed25519PrivateKey, *, position: int, event_id: int, head: str) -> None:
    """Append one signed checkpoint, in a single write() to a file opened O_APPEND so concurrent
    workers' lines never interleave. The folder is never created here (see signing_key). Runs after
    the row's commit; a failure is logged, not raised, because the row is already committed and
    `iom audit verify` reports rows left unanchored."""
    line = checkpoint_line(key, position=position, event_id=event_id, head=head)
    path = store_file()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    except OSError as exc:
        logger.error(
            "audit checkpoint for row %s (position %s) not written to %s: %s", event_id, position, path, exc
        )


def _parse(line: str, keys: dict[str, Ed25519PublicKey]) -> Checkpoint | str:
    """The checkpoint on this line, or why it is not one we signed."""
    try:
        record = json.loads(line)
        checkpoint = Checkpoint(
            position=record["position"],
            event_id=record["event_id"],
            head=record["head"],
            at=record["at"],
            key=record["key"],
        )
        signature = base64.b64decode(record["sig"], validate=True)
        valid_shape = (
            record.get("v") == VERSION
            and type(checkpoint.position) is int
            and checkpoint.position > 0
            and type(checkpoint.event_id) is int
            and isinstance(checkpoint.head, str)
            and _HEX64.fullmatch(checkpoint.head) is not None
            and isinstance(checkpoint.at, str)
        )
    except (ValueError, KeyError, TypeError, binascii.Error):
        return "is not a checkpoint (not the JSON the application writes)"
    if not valid_shape:
        return "is not a checkpoint (a field is missing or of the wrong kind)"
    public = keys.get(checkpoint.key) if isinstance(checkpoint.key, str) else None
    if public is None:
        return f"is signed by an unknown key {checkpoint.key!r}"
    try:
        public.verify(signature, checkpoint.signed_bytes())
    except InvalidSignature:
        return "has a bad signature: it was altered or forged"
    return checkpoint


def read_store(directory: Path, keys: dict[str, Ed25519PublicKey]) -> StoreReading:
    """Every checkpoint in the store's *.jsonl files (rotated files included), each signature checked.
    Raises FileNotFoundError if the folder does not exist."""
    if not directory.is_dir():
        raise FileNotFoundError(directory)
    checkpoints: list[Checkpoint] = []
    problems: list[str] = []
    files = sorted(directory.glob("*.jsonl"))
    for path in files:
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                parsed = _parse(line, keys)
                if isinstance(parsed, Checkpoint):
                    checkpoints.append(parsed)
                else:
                    problems.append(f"{path.name} line {number} {parsed}")
    return StoreReading(checkpoints=checkpoints, problems=problems, files=len(files))
