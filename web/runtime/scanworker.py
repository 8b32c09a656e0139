"""The decoding process of `web.runtime.scanpool`: picture bytes in, QR texts (or a stage error) out, as JSON.

It runs as `python -m web.runtime.scanworker FD MEMORY_BYTES MAX_IMAGE_BYTES MAX_PIXELS`, a fresh interpreter that
shares nothing with the server but the socket FD (a `multiprocessing.connection.Connection`).
Before it imports the image libraries it caps its own address space (RLIMIT_AS), so a decompression bomb that
slips past the header checks fails with MemoryError in this process instead of exhausting the server's memory,
and turns off core dumps. Answers are JSON, never pickles: a process that decoded a hostile picture is not
trusted to send objects to the server.

Protocol on the connection (`multiprocessing.connection.Connection`, bytes messages):

    worker -> server   {"ready": true}                              once, after the imports
    server -> worker   the picture bytes                             one job
    worker -> server   {"texts": [str, ...]}                         the codes found, reading order
                       {"error": CODE, "detail": str}                CODE: IMAGE_TOO_LARGE, UNSUPPORTED_IMAGE,
                                                                     UNREADABLE_IMAGE or NO_QR_CODE (verify.Error)

The worker exits when the server closes its end. This module imports nothing heavy at import time: the limits
are set before the decoders are imported.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from collections.abc import Sequence
from multiprocessing.connection import Connection

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def limit_process(memory_bytes: int) -> None:
    """Cap this process: address space `memory_bytes` (RLIMIT_AS), no core files, one thread for numeric libraries.

    Args:
        memory_bytes: the address-space cap, in bytes.
    """
    for name in _THREAD_VARIABLES:
        os.environ[name] = "1"
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def worker_main(conn: Connection, memory_bytes: int, max_image_bytes: int, max_pixels: int) -> None:
    """Serve decoding jobs on `conn` until it is closed (see the module docstring for the protocol).

    Args:
        conn: this process's end of the pipe.
        memory_bytes: address-space cap, in bytes.
        max_image_bytes, max_pixels: the caps of `verify.scan.ScanLimits`.
    """
    limit_process(memory_bytes)
    from verify import Error
    from verify.scan import ScanLimits, scan_image

    limits = ScanLimits(max_image_bytes=max_image_bytes, max_pixels=max_pixels)
    conn.send_bytes(b'{"ready": true}')
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        answer: dict[str, object]
        try:
            answer = {"texts": scan_image(data, limits=limits)}
        except Error as exc:
            answer = {"error": exc.code, "detail": exc.message}
        except MemoryError:
            answer = {"error": "UNREADABLE_IMAGE", "detail": "the picture needs more memory than a decoder may use"}
        except Exception as exc:  # the decoder must answer, whatever the picture does to the libraries
            answer = {"error": "UNREADABLE_IMAGE", "detail": f"the decoder failed: {type(exc).__name__}"}
        del data
        try:
            conn.send_bytes(json.dumps(answer, ensure_ascii=False).encode("utf-8"))
        except (OSError, ValueError):
            return


def main(argv: Sequence[str]) -> None:
    """`python -m web.runtime.scanworker FD MEMORY_BYTES MAX_IMAGE_BYTES MAX_PIXELS` (from `web.runtime.scanpool`)."""
    fd, memory_bytes, max_image_bytes, max_pixels = (int(value) for value in argv)
    worker_main(Connection(fd), memory_bytes, max_image_bytes, max_pixels)


if __name__ == "__main__":
    main(sys.argv[1:])
