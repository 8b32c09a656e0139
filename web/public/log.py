"""The transparency log's public endpoints (issue 15; docs/TRANSPARENCY.md §7): checkpoint, proofs, entries.

| route                                                   | answer                                                  |
|---------------------------------------------------------|---------------------------------------------------------|
| GET /api/v1/log/checkpoint                              | the newest signed checkpoint note (text/plain; C2SP     |
|                                                         | tlog-checkpoint in a signed note), cacheable for 60 s   |
| GET /api/v1/log/proof/inclusion?leaf_index=I&tree_size=N| {"leaf_index", "tree_size", "proof": [hex]} (RFC 9162   |
|                                                         | §2.1.3.1)                                               |
| GET /api/v1/log/proof/inclusion?series=S&number=N       | a revision's entry and its proof against the newest     |
|   [&revision=R]                                         | checkpoint: the shape of `verify log prove --json`      |
| GET /api/v1/log/proof/consistency?first=M&second=N      | {"first", "second", "proof": [hex]} (RFC 9162 §2.1.4.1) |
| GET /api/v1/log/entries?start=S&end=E                   | {"start", "entries": [hex]}, at most 1000 entries       |

They read the registry through the public surface's read-only engine, under the trust list's rate-limit bucket
(`RATE_BUCKETS`); a proof of fixed sizes never changes, so it is cacheable for a day, like a range of entries. A
registry that cannot be read is 503 with Retry-After, never an empty answer. Hashes are lower-case hex.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Final, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from verify.errors import NotFoundError
from verify.identifiers import normalize_series, validate_number
from verify.record import MAX_REVISION
from verify.registry.lookup import unreadable
from verify.registry.tlog import (
    MAX_ENTRIES_PER_READ,
    consistency_proof,
    inclusion_proof,
    latest_checkpoint,
    prove_revision,
    read_entries,
)
from verify.texts import Text, text
from verify.transparency.merkle import MAX_TREE_SIZE

from ..deps import ServicesDep
from ..problems.errors import UNAVAILABLE_RETRY_S, ProblemRoute
from ..problems.handlers import ProblemError
from ..problems.openapi import INVALID, RATE_LIMITED, UNAVAILABLE, problem_responses

RATE_BUCKETS: Final = {"/api/v1/log/checkpoint": "trust_list", "/api/v1/log/proof/inclusion": "trust_list",
                       "/api/v1/log/proof/consistency": "trust_list", "/api/v1/log/entries": "trust_list"}
"""Route template -> rate-limit bucket: the trust list's (`web.http.ratelimit`)."""
CHECKPOINT_CACHE: Final = "public, max-age=60"
FIXED_CACHE: Final = "public, max-age=86400"
OUT_OF_RANGE: Final = ("invalid-data", "leaf index 9 is not in a tree of 8 leaves")
LOG_UNAVAILABLE: Final = "the registry cannot be read, so the log cannot be served; try again shortly"

CHECKPOINT_EXAMPLE: Final = ("v.edu.kz/log\n6\ntXFbJYqQl8YYQ6/GDrk5aZN2EVI4fu2jy7d0MWQTuwY=\n\n"
                              "— v.edu.kz/log W7/Da2zu...\n")

router = APIRouter(prefix="/api/v1/log", tags=["transparency"], route_class=ProblemRoute)
T = TypeVar("T")


def _read(services: Any, fn: Callable[[Session], T]) -> T:
    """Run `fn` in a read-only session; a registry that cannot be read is 503 with Retry-After."""
    try:
        with services.sessions() as session:  # closing it ends the read transaction
            return fn(session)
    except DBAPIError as exc:
        unreadable(exc)
        raise ProblemError("unavailable", LOG_UNAVAILABLE, headers={"Retry-After": str(UNAVAILABLE_RETRY_S)},
                           text=Text("e_log_unavailable")) from None


@router.get(
    "/checkpoint", summary="The newest signed checkpoint", operation_id="getLogCheckpoint",
    responses={200: {"description": "A C2SP tlog-checkpoint in a C2SP signed note, signed by the log key (usage log)",
                     "content": {"text/plain": {"example": CHECKPOINT_EXAMPLE}}},
               304: {"description": "Not modified (If-None-Match matched the ETag)"},
               **problem_responses(("not-found", "no checkpoint has been signed yet"), RATE_LIMITED, UNAVAILABLE)},
)
def get_checkpoint(request: Request, services: ServicesDep) -> Response:
    """The log's signed tree head: origin, tree size and root hash, signed by the log key of the trust list."""
    stored = _read(services, latest_checkpoint)
    if stored is None:
        raise NotFoundError(text("v_log_no_checkpoint_yet"))
    etag = f'"{stored.tree_size}"'
    headers = {"Cache-Control": CHECKPOINT_CACHE, "ETag": etag}
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(stored.note, media_type="text/plain; charset=utf-8", headers=headers)


@router.get(
    "/proof/inclusion", summary="An inclusion proof", operation_id="getLogInclusionProof",
    responses={200: {"description": "The audit path, hashes in lower-case hex",
                     "content": {"application/json": {"example": {
                         "leaf_index": 3, "tree_size": 8, "leaf_hash": "5e2b...", "proof": ["a1b2...", "c3d4..."],
                         "checkpoint": "v.edu.kz/log\n8\n...\n"}}}},
               **problem_responses(("not-found", "the revision is not in the log"), INVALID, OUT_OF_RANGE,
                                   RATE_LIMITED, UNAVAILABLE)},
)
def get_inclusion_proof(
    services: ServicesDep,
    leaf_index: Annotated[int | None, Query(ge=0, le=MAX_TREE_SIZE, description="the leaf index")] = None,
    tree_size: Annotated[int | None, Query(ge=1, le=MAX_TREE_SIZE, description="the tree size of a checkpoint")] = None,
    series: Annotated[str | None, Query(max_length=8, description="a document's series (with number)")] = None,
    number: Annotated[str | None, Query(max_length=8, description="its number, seven digits")] = None,
    revision: Annotated[int | None, Query(ge=1, le=MAX_REVISION, description="its revision (default 1)")] = None,
) -> JSONResponse:
    """By leaf index and tree size: the RFC 9162 proof. By series and number: the revision's entry with its proof
    against the newest checkpoint (tree_size 0 and no checkpoint while none covers it yet)."""
    if leaf_index is not None and tree_size is not None and series is None:
        proof = _read(services, lambda s: inclusion_proof(s, index=leaf_index, tree_size=tree_size))
        return JSONResponse({"leaf_index": leaf_index, "tree_size": tree_size, "proof": [h.hex() for h in proof]},
                            headers={"Cache-Control": FIXED_CACHE})
    if series is None or number is None or leaf_index is not None or tree_size is not None:
        raise ProblemError("invalid-data", "give leaf_index and tree_size, or series and number [and revision]",
                           text=Text("e_log_proof_query"))
    wanted_series, wanted_number = normalize_series(series), validate_number(number.strip())
    found = _read(services, lambda s: prove_revision(s, series=wanted_series, number=wanted_number,
                                                     revision=revision or 1))
    if found is None:
        raise NotFoundError(text("v_log_revision_absent", series=wanted_series, number=wanted_number,
                                 revision=revision or 1))
    return JSONResponse(found.to_json(), headers={"Cache-Control": CHECKPOINT_CACHE})


@router.get(
    "/proof/consistency", summary="A consistency proof between two tree sizes", operation_id="getLogConsistencyProof",
    responses={200: {"description": "The consistency path, hashes in lower-case hex",
                     "content": {"application/json": {"example": {"first": 6, "second": 8,
                                                                  "proof": ["a1b2...", "c3d4..."]}}}},
               **problem_responses(INVALID, OUT_OF_RANGE, RATE_LIMITED, UNAVAILABLE)},
)
def get_consistency_proof(services: ServicesDep, first: Annotated[int, Query(ge=1, le=MAX_TREE_SIZE)],
                          second: Annotated[int, Query(ge=1, le=MAX_TREE_SIZE)]) -> JSONResponse:
    """PROOF(first, D[second]) of RFC 9162 §2.1.4.1: the tree of `second` entries extends that of `first`."""
    proof = _read(services, lambda s: consistency_proof(s, old_size=first, new_size=second))
    return JSONResponse({"first": first, "second": second, "proof": [h.hex() for h in proof]},
                        headers={"Cache-Control": FIXED_CACHE})


@router.get(
    "/entries", summary="Log entries by index", operation_id="getLogEntries",
    responses={200: {"description": f"Entry bytes (docs/TRANSPARENCY.md §3) in lower-case hex, from `start`, at most "
                                    f"{MAX_ENTRIES_PER_READ}",
                     "content": {"application/json": {"example": {"start": 0, "entries": ["a90101..."]}}}},
               **problem_responses(INVALID, OUT_OF_RANGE, RATE_LIMITED, UNAVAILABLE)},
)
def get_entries(services: ServicesDep, start: Annotated[int, Query(ge=0, le=MAX_TREE_SIZE)],
                end: Annotated[int, Query(ge=1, le=MAX_TREE_SIZE)]) -> JSONResponse:
    """The entries of leaves start .. end - 1 (fewer when more than the page size are asked)."""
    entries = _read(services, lambda s: read_entries(s, start=start, end=end))
    return JSONResponse({"start": start, "entries": [e.hex() for e in entries]},
                        headers={"Cache-Control": FIXED_CACHE})


__all__ = ["RATE_BUCKETS", "router"]
