"""A worker forked from a process that loaded the model (gunicorn's master) can use it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from recall.semantic import embeddings

# Run in a fresh interpreter: this test process may have run the model already, and a fork
# of a process whose torch thread pools started hangs, which is what is checked here.
MASTER = textwrap.dedent(
    """
    import os, sys
    from recall.semantic import embeddings

    embeddings.load_before_fork()
    pid = os.fork()
    if pid == 0:
        vectors = embeddings.encode(["a forked worker's first query"])
        os._exit(0 if len(vectors[0]) == embeddings.DIMENSIONS else 3)
    sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
    """
)


def test_a_worker_forked_after_the_model_was_loaded_encodes_with_it():
    if not embeddings.is_available():
        pytest.skip("the semantic extra is not installed (pip install -e '.[semantic]')")
    master = subprocess.Popen([sys.executable, "-c", MASTER], start_new_session=True)
    try:
        code = master.wait(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(master.pid, signal.SIGKILL)  # the forked child too
        master.wait()
        pytest.fail("the forked worker's first encode hung (torch's pools started before fork)")
    assert code == 0
