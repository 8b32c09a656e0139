"""The key store directory: root, document signers and the published trust list (`keys/`).

Layout (docs/KEYS.md; private files are git-ignored and mode 0600):

    keys/root.key                  root private key, encrypted PKCS#8       (private)
    keys/root.crt                  root certificate, PEM                    (public: the trust anchor)
    keys/signers/<kid>.key         document signer private key, encrypted   (private)
    keys/signers/<kid>.crt         document signer certificate, PEM         (public)
    keys/signers/<kid>.pkcs11.json where a signer's key is when it lives in a PKCS#11 token:
                                   module, token label, key label and ID; never the PIN (pkcs11.py)
    keys/active-signer             kids (hex, one a line) of the document signers that sign records now: one per
                                   institution or series group at national scale (a store of one line, as written
                                   before several were active, reads the same)
    keys/active-status-signer      kid (hex) of the status signer that signs status lists now
    keys/active-log-signer         kid (hex) of the log signer that signs checkpoints now (Ed25519)
    keys/trust-list.json           the signed trust list: the store's state and its publication
    keys/trust-list.schema.json    its JSON Schema, copied beside it

The trust list is the state: every operation (init, rotate, revoke, export) loads it
verified under root.crt, changes it, raises its version and signs it again with the root.

Development key stores accept a built-in passphrase when none is given; a production key
store refuses to work without one (STYLE.md §14: secrets have no defaults outside development).
A token PIN never has a default.

Several document signers are active at once, each with its scope (series, and an institution's BIN or any); the
registry asks `document_signers()` for the one that may sign each document (`verify.signerset`). Rotating one
leaves the others active: `rotate` retires only the active signers of the same institution (or, for signers of any
institution, of overlapping series).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from cryptography import x509

from .codec import ALG_EDDSA
from .doctypes import DEVELOPMENT_TVE_SERIES, all_fixed_series
from .errors import KeyStoreError, RecordError, TrustListError
from .identifiers import normalize_series, refuse_iin_in_text
from .keys import (
    KeySigner,
    PrivateKey,
    PublicKey,
    Signer,
    compute_kid,
    generate_private_key,
    load_certificate,
    load_private_key,
    make_root_certificate,
    make_signer_certificate,
    write_certificate,
    write_private_key,
)
from .pkcs11 import (
    Pkcs11Signer,
    TokenKeyRef,
    TokenLocation,
    default_key_label,
    destroy_token_key,
    generate_token_key,
    token_algorithm,
)
from .signerset import ScopedSigner, SignerSet
from .texts import text
from .trust import ENVIRONMENTS, Revocation, Scope, SignerEntry, TrustList, schema_text

DEVELOPMENT_PASSPHRASE = b"development-only-not-a-secret"
#: The file naming the active signer of each usage (docs/FORMAT.md §6.3).
ACTIVE_SIGNER_FILES = {"document": "active-signer", "status": "active-status-signer", "log": "active-log-signer"}
DEFAULT_SIGNER_USAGE_DAYS = 365
DEFAULT_TRUST_LIST_TTL_DAYS = 30


def default_series() -> frozenset[str]:
    """The series a development signer may sign: all fixed series and the development TVE series."""
    return frozenset(all_fixed_series()) | frozenset(DEVELOPMENT_TVE_SERIES)


@dataclass(frozen=True)
class KeyStore:
    """A key store directory.

    Args:
        path: the directory (settings: VERIFY_KEYS_DIR, default `keys/`).
        passphrase: for the private keys (settings: VERIFY_KEY_PASSPHRASE), or None.
        pin: the user PIN of the PKCS#11 token holding document signer keys, or None (no default).
    """

    path: Path
    passphrase: bytes | None = None
    pin: bytes | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ paths
    @property
    def root_key_path(self) -> Path:
        """keys/root.key."""
        return self.path / "root.key"

    @property
    def root_cert_path(self) -> Path:
        """keys/root.crt (the trust anchor verifiers are given)."""
        return self.path / "root.crt"

    @property
    def trust_list_path(self) -> Path:
        """keys/trust-list.json."""
        return self.path / "trust-list.json"

    def exists(self) -> bool:
        """Whether the store has a root and a trust list."""
        return self.root_cert_path.is_file() and self.trust_list_path.is_file()

    def _passphrase_for(self, environment: str) -> bytes:
        if self.passphrase:
            return self.passphrase
        if environment == "production":
            raise KeyStoreError("a production key store needs a passphrase (VERIFY_KEY_PASSPHRASE)")
        return DEVELOPMENT_PASSPHRASE

    def _token_pin(self, token_label: str) -> bytes:
        if not self.pin:
            raise KeyStoreError(f"the document signer key is in token {token_label!r}: its PIN is needed")
        return self.pin

    def _token_key_path(self, kid: bytes) -> Path:
        return self.path / "signers" / f"{kid.hex()}.pkcs11.json"

    def token_key(self, kid: bytes) -> TokenKeyRef | None:
        """Where the signer `kid`'s private key is when it lives in a PKCS#11 token; None for a key file.

        Raises:
            HsmError: the record is unreadable.
        """
        path = self._token_key_path(kid)
        return TokenKeyRef.from_json(path.read_bytes()) if path.is_file() else None

    # ------------------------------------------------------------------ reading
    def root_certificate(self) -> x509.Certificate:
        """The root certificate.

        Raises:
            KeyStoreError: missing or unreadable; run `verify keys init`.
        """
        if not self.root_cert_path.is_file():
            raise KeyStoreError(f"no key store at {self.path}: run `verify keys init`")
        return load_certificate(self.root_cert_path)

    def trust_list(self) -> TrustList:
        """The store's trust list, verified under its root.

        Raises:
            KeyStoreError, TrustListError.
        """
        root = self.root_certificate()
        try:
            data = self.trust_list_path.read_bytes()
        except OSError:
            raise KeyStoreError(f"{self.trust_list_path}: missing; run `verify keys init`") from None
        return TrustList.from_json(data, root=root)

    def active_kids(self, usage: str = "document") -> list[bytes]:
        """The kids of the active signers of a usage, oldest first (one for "status" and "log").

        Raises:
            KeyStoreError: an unknown usage, or the file is missing or bad.
        """
        name = _active_file(usage)
        try:
            kids = [bytes.fromhex(line.strip()) for line in (self.path / name).read_text().splitlines()
                    if line.strip()]
        except (OSError, ValueError):
            raise KeyStoreError(f"{self.path}/{name}: missing or bad; run `verify keys rotate`") from None
        if not kids:
            raise KeyStoreError(f"{self.path}/{name}: names no signer; run `verify keys rotate`")
        return kids

    def _active_entries(self, trust_list: TrustList, usage: str) -> list[SignerEntry]:
        """The trust-list entries of the active signers of a usage that are not revoked, oldest first."""
        entries = []
        for kid in self.active_kids(usage):
            entry = next((e for e in trust_list.candidates(kid, usage=usage) if compute_kid(e.certificate) == kid),
                         None)
            if entry is None:
                raise KeyStoreError(f"the active {usage} signer {kid.hex()} is not in the trust list")
            if entry.revocation is None:
                entries.append(entry)
        return entries

    def _open(self, entry: SignerEntry, environment: str) -> Signer:
        """The `Signer` of an entry: its key file, or its token key (logged in with the store's PIN).

        Raises:
            KeyStoreError: the key file is missing, or the passphrase or PIN is wrong or missing.
            HsmError: the token cannot sign.
        """
        ref = self.token_key(entry.kid)
        if ref is not None:
            return Pkcs11Signer.open(ref, pin=self._token_pin(ref.token_label), certificate=entry.certificate)
        key = load_private_key(self.path / "signers" / f"{entry.kid.hex()}.key", self._passphrase_for(environment))
        return KeySigner(private_key=key, certificate=entry.certificate)

    def signer(self, usage: str = "document") -> ScopedSigner:
        """The newest active signer of a usage: "document" (records), "status" (status lists) or "log" (checkpoints).

        A `Signer` (its key a file or in a token) with its trust-list entry. The registry signs documents
        through `document_signers()`, which chooses among every active document signer by scope.

        Raises:
            KeyStoreError: an unknown usage, no active signer of it, its files are missing, wrong passphrase,
                or it is revoked.
            HsmError: its token cannot sign (no module, no token, no PIN or a wrong one, no key).
        """
        trust_list = self.trust_list()
        entries = self._active_entries(trust_list, usage)
        if not entries:
            raise KeyStoreError(text("v_ks_signer_revoked", usage=usage))
        entry = entries[-1]
        return ScopedSigner(self._open(entry, trust_list.environment), entry)

    def document_signers(self) -> SignerSet:
        """Every active document signer, chosen per document by scope (`verify.signerset.SignerSet`).

        The trust list is read now; each private key is opened when its signer is first chosen.

        Raises:
            KeyStoreError: no key store, or the active signers' file is missing or names a signer not listed.
        """
        trust_list = self.trust_list()
        environment = trust_list.environment
        return SignerSet(self._active_entries(trust_list, "document"),
                         lambda entry: self._open(entry, environment))

    def _root_key(self, environment: str) -> PrivateKey:
        return load_private_key(self.root_key_path, self._passphrase_for(environment))

    # ------------------------------------------------------------------ changing
    def init(self, *, at: dt.datetime, environment: str = "development", alg: int = ALG_EDDSA,
             series: frozenset[str] | None = None, institution_bin: str | None = None,
             usage_days: int = DEFAULT_SIGNER_USAGE_DAYS, token: TokenLocation | None = None) -> TrustList:
        """Create a root, a first document signer and trust list version 1.

        Args:
            token: make the document signer's key in this PKCS#11 token (EdDSA where the token
                offers it, else ES256; `alg` is then the root's only) with the store's `pin`.
                The token is opened before anything is written.

        Raises:
            KeyStoreError: the store exists already, an unknown environment, or no passphrase
                for production.
            RecordError: a malformed series.
            HsmError: the token cannot be used (no module, no token, no PIN or a wrong one, no
                supported mechanism); nothing is written.
        """
        if environment not in ENVIRONMENTS:
            raise KeyStoreError(f"environment must be one of {', '.join(ENVIRONMENTS)}")
        series = _normalized(series)
        if self.root_cert_path.exists() or self.root_key_path.exists():
            raise KeyStoreError(f"{self.path} holds a root already; refusing to replace it")
        passphrase = self._passphrase_for(environment)
        if token is not None:
            token_algorithm(token, pin=self._token_pin(token.label))
        root_key = generate_private_key(alg)
        label = "TEST ONLY" if environment == "test" else environment.upper()
        root = make_root_certificate(root_key, common_name=f"verify {label} root {at:%Y-%m}", environment=environment,
                                     not_before=at - dt.timedelta(minutes=5))
        write_private_key(self.root_key_path, root_key, passphrase)
        write_certificate(self.root_cert_path, root)
        empty = TrustList(version=0, environment=environment, issued_at=at, expires_at=at, root=root, signers=())
        entry = self._new_signer(root_key, root, at=at, alg=None if token is not None else alg, usage_days=usage_days,
                                 passphrase=passphrase, scope=Scope(series or default_series(), institution_bin),
                                 token=token)
        self._write_active("document", [entry.kid])
        return self._publish(root_key, empty, signers=(entry,), at=at)

    def rotate(self, *, at: dt.datetime, alg: int | None = None, series: frozenset[str] | None = None,
               institution_bin: str | None = None, usage_days: int = DEFAULT_SIGNER_USAGE_DAYS,
               usage: str = "document", token: TokenLocation | None = None) -> TrustList:
        """A new active signer of a usage; the signers it replaces stop at `at` but stay listed.

        Document signers: the new one replaces the active signers of its institution (`institution_bin`; with
        `series` given, only those holding one of them), or, without an institution, the active signers of any
        institution holding one of `series`; every other active document signer stays active (one per
        institution at national scale). With neither given, it replaces the only active document signer
        (refused when several are active: say which). Its scope defaults to the replaced ones' (series joined),
        else to every series; the place of its key to the replaced one's token, unless `token` says otherwise.
        The first signer of an institution is made the same way: it replaces none.

        "status" and "log": the new signer replaces the one active signer of the usage; the first rotation
        creates that usage's first signer, under the same root and next to the document signers (a status
        signer's series are the series whose status lists it signs; a log signer's scope is not used).

        Raises:
            KeyStoreError: an unknown usage, a log signer other than Ed25519 (C2SP signed-note), an
                institution scope for a status or log signer.
            RecordError: a malformed series, or several active document signers and no scope given.
            HsmError: the token cannot make the key.
        """
        _active_file(usage)
        series = _normalized(series)
        if usage == "log" and alg not in (None, ALG_EDDSA):
            raise KeyStoreError(text("v_ks_log_ed25519"))
        if usage != "document" and institution_bin is not None:
            raise KeyStoreError(text("v_ks_not_scoped", usage=usage))
        current = self.trust_list()
        root_key = self._root_key(current.environment)
        try:
            active = [e for e in self._active_entries(current, usage) if e.usage_until > at]
        except KeyStoreError:
            active = []
        replaced = _replaced(active, usage=usage, series=series, institution_bin=institution_bin)
        retired = {e.kid for e in replaced}
        signers = [replace(e, usage_until=at) if e.kid in retired and e.usage == usage else e
                   for e in current.signers]
        if token is None and replaced:
            previous_ref = self.token_key(replaced[-1].kid)
            token = previous_ref.location if previous_ref is not None else None
        replaced_series = frozenset().union(*(e.scope.series for e in replaced))
        scope = Scope(series or replaced_series or default_series(),
                      institution_bin if institution_bin is not None else
                      (replaced[-1].scope.institution_bin if replaced else None))
        entry = self._new_signer(root_key, current.root, at=at,
                                 alg=alg if alg is not None or token is not None else ALG_EDDSA,
                                 usage_days=usage_days, passphrase=self._passphrase_for(current.environment),
                                 scope=scope, usage=usage, token=token)
        try:
            kept = [kid for kid in self.active_kids(usage) if kid not in retired] if usage == "document" else []
        except KeyStoreError:
            kept = []
        self._write_active(usage, [*kept, entry.kid])
        return self._publish(root_key, current, signers=(*signers, entry), at=at)

    def revoke(self, kid: bytes, *, compromised_at: dt.datetime, at: dt.datetime, reason: str) -> TrustList:
        """Revoke a signer of any usage with its compromise time; what it signed before that still verifies.

        Raises:
            KeyStoreError: no signer with that kid, or already revoked.
            IinInTextError: the reason holds an IIN (the trust list is published).
        """
        refuse_iin_in_text(reason, field="reason")
        current = self.trust_list()
        if not any(e.kid == kid for e in current.signers):
            raise KeyStoreError(text("v_ks_no_signer", kid=kid.hex()))
        signers = []
        for e in current.signers:
            if e.kid == kid:
                if e.revocation is not None:
                    raise KeyStoreError(text("v_ks_revoked_already", kid=kid.hex()))
                e = replace(e, revocation=Revocation(revoked_at=at, compromised_at=compromised_at, reason=reason))
            signers.append(e)
        return self._publish(self._root_key(current.environment), current, signers=tuple(signers), at=at)

    def export(self, *, at: dt.datetime, ttl_days: int = DEFAULT_TRUST_LIST_TTL_DAYS) -> TrustList:
        """Sign the list again with a new version, issue time and expiry (a fresh publication)."""
        current = self.trust_list()
        return self._publish(self._root_key(current.environment), current, signers=current.signers, at=at,
                             ttl_days=ttl_days)

    def _new_signer(self, root_key: PrivateKey, root: x509.Certificate, *, at: dt.datetime, alg: int | None,
                    usage_days: int, passphrase: bytes, scope: Scope, usage: str = "document",
                    token: TokenLocation | None = None) -> SignerEntry:
        private: PrivateKey | None = None
        key: PrivateKey | PublicKey
        if token is None:
            key = private = generate_private_key(alg if alg is not None else ALG_EDDSA)
        else:
            pin = self._token_pin(token.label)
            ref, key = generate_token_key(token, pin=pin, key_label=default_key_label(at, usage=usage), alg=alg)
        until = at + dt.timedelta(days=usage_days)
        try:
            cert = make_signer_certificate(key, root_key=root_key, root_certificate=root,
                                           common_name=f"verify {usage} signer {at:%Y-%m-%d %H:%M}",
                                           not_before=at - dt.timedelta(minutes=5), not_after=until)
            kid = compute_kid(cert)
            if private is not None:
                write_private_key(self.path / "signers" / f"{kid.hex()}.key", private, passphrase)
            else:
                _atomic_write(self._token_key_path(kid), ref.to_json())
        except Exception:
            if token is not None:  # a token key without its record would be an orphan: remove it
                destroy_token_key(ref, pin=pin)
            raise
        write_certificate(self.path / "signers" / f"{kid.hex()}.crt", cert)
        return SignerEntry(kid=kid, label=f"{usage} signer {at:%Y-%m-%d}", certificate=cert,
                           usage_from=at - dt.timedelta(minutes=5), usage_until=until, scope=scope, usage=usage)

    def _write_active(self, usage: str, kids: list[bytes]) -> None:
        _atomic_write(self.path / _active_file(usage), b"".join(kid.hex().encode() + b"\n" for kid in kids))

    def _publish(self, root_key: PrivateKey, current: TrustList, *, signers: tuple[SignerEntry, ...],
                 at: dt.datetime, ttl_days: int = DEFAULT_TRUST_LIST_TTL_DAYS) -> TrustList:
        new = TrustList(version=current.version + 1, environment=current.environment, issued_at=at,
                        expires_at=at + dt.timedelta(days=ttl_days), root=current.root, signers=signers)
        document = new.sign(root_key)
        _atomic_write(self.trust_list_path, json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8"))
        _atomic_write(self.path / "trust-list.schema.json", schema_text().encode("utf-8"))
        try:
            return TrustList.from_json(self.trust_list_path.read_bytes(), root=current.root)
        except TrustListError as exc:  # a list we cannot read back must never stay published
            raise KeyStoreError(text("v_ks_list_invalid", cause=exc.text or exc.message)) from None


def _normalized(series: frozenset[str] | None) -> frozenset[str] | None:
    """Series as the registry writes them (`identifiers.normalize_series`); None stays None.

    Raises:
        RecordError: a malformed series.
    """
    return None if series is None else frozenset(normalize_series(s) for s in series)


def _replaced(active: list[SignerEntry], *, usage: str, series: frozenset[str] | None,
              institution_bin: str | None) -> list[SignerEntry]:
    """The active signers a new one of `usage` and this scope replaces (see `KeyStore.rotate`).

    Raises:
        RecordError: several active document signers, and neither series nor institution given.
    """
    if usage != "document":
        return active[-1:]
    if institution_bin is not None:
        return [e for e in active if e.scope.institution_bin == institution_bin
                and (series is None or e.scope.series & series)]
    if series is not None:
        return [e for e in active if e.scope.institution_bin is None and e.scope.series & series]
    if len(active) > 1:
        raise RecordError(text("v_ks_several_active", count=len(active)))
    return active


def _active_file(usage: str) -> str:
    try:
        return ACTIVE_SIGNER_FILES[usage]
    except KeyError:
        raise KeyStoreError(text("v_ks_usage", usages=", ".join(ACTIVE_SIGNER_FILES))) from None


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)

